from django.test import Client


def test_passport_opens(world, template, publication, boiler):
    response = Client().get(f"/p/{boiler.passport_token}/")
    assert response.status_code == 200, response.content[:3000]
    assert b"SN-BOILER-1" in response.content
    response = Client().get(f"/p/{boiler.passport_token}/file/")
    assert response.status_code == 200, response.content[:3000]


def test_backoffice_pages(world, template, boiler, client_for):
    admin = client_for(world.users["admin"])
    response = admin.get(f"/backoffice/equipment/{boiler.pk}/")
    assert response.status_code == 200
    assert b"passport-qr" in response.content
    response = admin.get("/backoffice/equipment/")
    assert b"label-check" in response.content
    response = admin.get(f"/backoffice/equipment/labels.pdf?ids={boiler.pk}&layout=52x30")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
