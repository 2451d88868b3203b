from typing import Any

def test_register_shows_demo_statuses(client_as: Any) -> None:
    response = client_as("reader").get("/register/?period=2024-25-q2")
    assert response.status_code == 200
    assert b'data-status="red"' in response.content
