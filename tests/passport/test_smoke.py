from django.test import Client


def test_passport_opens(world, template, publication, boiler):
    response = Client().get(f"/p/{boiler.passport_token}/")
    assert response.status_code == 200, response.content[:3000]
    assert b"SN-BOILER-1" in response.content
    response = Client().get(f"/p/{boiler.passport_token}/file/")
    assert response.status_code == 200, response.content[:3000]
