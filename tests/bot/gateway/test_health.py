"""`/healthz`: 200 only when a model is loaded and the action server answers."""


def test_healthz_is_ok_when_every_part_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"rasa": "ok", "model": "bonemets.tar.gz", "actions": "ok"}


def test_healthz_names_rasa_when_it_is_down(client, fake_rasa):
    fake_rasa.rasa_up = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["rasa"] == "down"
    assert response.json()["actions"] == "ok"


def test_healthz_names_a_missing_model(client, fake_rasa):
    fake_rasa.model_file = None
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["rasa"] == "no model loaded"


def test_healthz_names_the_action_server_when_it_is_down(client, fake_rasa):
    fake_rasa.actions_up = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"rasa": "ok", "model": "bonemets.tar.gz", "actions": "down"}
