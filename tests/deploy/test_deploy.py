"""deploy/: what can be checked here, where no Docker daemon and no cluster run.

The image is not built and nothing is started. The Kubernetes manifests are checked against
the Kubernetes API schemas, the Dockerfile with hadolint, and the compose file and manifests
for wiring the same topology as `make run-scaled`: a gateway that knows every Rasa worker, and
workers given every value their endpoints file asks for. The compose file has no schema check:
no package that provides one installs beside Rasa's dependencies.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from settings import PROJECT_DIR

DEPLOY = PROJECT_DIR / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
KUBERNETES_VERSION = "1.28"


def endpoint_variables() -> set[str]:
    """The environment variables endpoints.scaled.yml needs, e.g. TRACKER_STORE_URL."""
    return set(re.findall(r"\$\{(\w+)\}", (PROJECT_DIR / "endpoints.scaled.yml").read_text()))


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def kubernetes_objects() -> list[dict]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def kubernetes_object(kind: str, name: str) -> dict:
    return next(
        doc
        for doc in kubernetes_objects()
        if doc["kind"] == kind and doc["metadata"]["name"] == name
    )


def container_env(pod_owner: dict) -> dict[str, dict]:
    (container,) = pod_owner["spec"]["template"]["spec"]["containers"]
    return {item["name"]: item for item in container["env"]}


@pytest.mark.parametrize(
    "manifest", kubernetes_objects(), ids=lambda doc: f"{doc['kind']}/{doc['metadata']['name']}"
)
def test_kubernetes_manifest_matches_the_api_schema(manifest):
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_kubernetes_gateway_knows_every_rasa_worker():
    workers = kubernetes_object("StatefulSet", "rasa")
    urls = container_env(kubernetes_object("Deployment", "gateway"))["RASA_URLS"]["value"]
    expected = [f"http://rasa-{n}.rasa:5005" for n in range(workers["spec"]["replicas"])]
    assert urls.split(",") == expected


def test_kubernetes_workers_get_every_value_of_the_scaled_endpoints():
    assert endpoint_variables() <= container_env(kubernetes_object("StatefulSet", "rasa")).keys()


def test_compose_runs_the_gateway_workers_actions_postgres_and_redis():
    services = compose()["services"]
    workers = sorted(name for name in services if name.startswith("rasa-"))
    assert len(workers) >= 2
    assert set(services) == {"gateway", "actions", "postgres", "redis", *workers}
    urls = services["gateway"]["environment"]["RASA_URLS"].split(",")
    assert urls == [f"http://{name}:5005" for name in workers]


def test_compose_publishes_only_the_gateway():
    assert [name for name, service in compose()["services"].items() if "ports" in service] == [
        "gateway"
    ]


def test_compose_workers_get_every_value_of_the_scaled_endpoints():
    for name, service in compose()["services"].items():
        if name.startswith("rasa-"):
            assert endpoint_variables() <= service["environment"].keys()
            assert "endpoints.scaled.yml" in service["command"]


def test_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
