"""The pages every audience shares, an interface layer beside the portal and the back office
(ARCHITECTURE.md rule 9; the import-linter contracts in pyproject.toml): a person's own pages
(`me`), the public pages for people not signed in (`public`: invitations, access requests;
`surveys`: the rating link from an email), the bell's pages (`notifications`) and the ticket
chat's views (`chat`), which the portal and the back office route under their own gates.

Domain apps never import this package; the portal and the back office may, and never import
each other."""
