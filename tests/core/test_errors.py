"""ApplicationError codes are an enum whose values are the codes callers always compared."""

from servicedesk.core.errors import ApplicationError, ErrorCode


def test_a_code_compares_equal_to_its_old_string() -> None:
    error = ApplicationError("Changed meanwhile.", code=ErrorCode.CONFLICT)
    assert error.code == "conflict"
    assert f"{error.code}" == "conflict"
    assert ApplicationError("No.").code == ErrorCode.INVALID == "invalid"
