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


def network_policy_sources(app: str) -> tuple[set[str], set[int]]:
    """The apps whose pods may connect to `app`'s pods, and on which ports, by every policy."""
    sources, ports = set(), set()
    for policy in kubernetes_objects():
        if policy["kind"] != "NetworkPolicy":
            continue
        if policy["spec"]["podSelector"].get("matchLabels") != {"app": app}:
            continue
        assert policy["spec"]["policyTypes"] == ["Ingress"]
        for rule in policy["spec"]["ingress"]:
            for peer in rule["from"]:
                # Only pods of this namespace, named by app: no IP ranges, no other namespaces.
                assert peer.keys() == {"podSelector"}
                sources.add(peer["podSelector"]["matchLabels"]["app"])
            ports |= {port["port"] for port in rule["ports"]}
    return sources, ports


@pytest.mark.parametrize(
    ("app", "allowed", "port"),
    [
        ("rasa", {"gateway"}, 5005),
        ("actions", {"rasa", "gateway"}, 5055),
        ("postgres", {"rasa", "gateway"}, 5432),
        ("redis", {"rasa", "gateway"}, 6379),
    ],
)
def test_kubernetes_lets_only_the_parts_that_need_it_reach_each_pod(app, allowed, port):
    assert network_policy_sources(app) == (allowed, {port})


def test_kubernetes_every_part_runs_in_production_with_one_clinic_phone():
    phones = []
    for kind, name in [
        ("Deployment", "actions"),
        ("StatefulSet", "rasa"),
        ("Deployment", "gateway"),
    ]:
        env = container_env(kubernetes_object(kind, name))
        assert env["ENVIRONMENT"]["value"] == "production"
        phones.append(env["CLINIC_PHONE"]["valueFrom"])
    assert phones[0] == phones[1] == phones[2]


def test_kubernetes_nurse_alerts_come_from_configuration_never_the_local_file_default():
    env = container_env(kubernetes_object("Deployment", "actions"))
    assert "valueFrom" in env["NURSE_ALERT_MODE"]


def compose_networks_of(service: dict) -> list[str]:
    return service.get("networks", ["default"])


def test_compose_rasa_and_actions_share_only_the_internal_network_with_other_services():
    config = compose()
    networks, services = config["networks"], config["services"]
    members: dict[str, set[str]] = {}
    for name, service in services.items():
        for network in compose_networks_of(service):
            members.setdefault(network, set()).add(name)
    workers = {name for name in services if name.startswith("rasa-")}
    for group in (workers, {"actions"}):
        for network in compose_networks_of(services[next(iter(group))]):
            if not networks[network].get("internal"):
                assert members[network] <= group, f"{network} opens {group} to others"
    (internal,) = [name for name, network in networks.items() if network.get("internal")]
    assert {"gateway", "actions", *workers} <= members[internal]
    assert [name for name in members if "gateway" in members[name] and name != internal] == [
        "public"
    ]


def test_compose_every_part_runs_in_production_and_alerts_never_go_to_a_file():
    services = compose()["services"]
    for name in ["gateway", "actions", *[n for n in services if n.startswith("rasa-")]]:
        environment = services[name]["environment"]
        assert environment["ENVIRONMENT"] == "production"
        assert environment["CLINIC_PHONE"] == "${CLINIC_PHONE:?set CLINIC_PHONE}"
    alert_mode = services["actions"]["environment"]["NURSE_ALERT_MODE"]
    assert alert_mode.startswith("${NURSE_ALERT_MODE:?")
