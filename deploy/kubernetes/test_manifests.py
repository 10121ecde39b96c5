#!/usr/bin/env python3
"""Offline test of deploy/kubernetes: renders the manifests for N = 1, 3 and 16, validates every
document against the Kubernetes 1.33 schemas in strict mode (PyPI kubernetes-validate, pinned in
Tests/Fixtures/requirements.txt; it ships the schemas, so no cluster and no network), and checks
what the schemas cannot: the Indexed Job's fields, the failure policy, the service account and
its role, no AWS keys anywhere, the shard arguments, the task JSON byte for byte in the
ConfigMap, resource requests; that render.py refuses what shards could not run; and that the
committed lakeingest-cronjob.yaml is what render.py makes today.

    python3 deploy/kubernetes/test_manifests.py

Exits 0 with one summary line, or 1 listing every failed check.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RENDER = os.path.join(HERE, "render.py")
TASK = os.path.join(HERE, "example-task.json")
EXAMPLE = os.path.join(HERE, "lakeingest-cronjob.yaml")
KUBERNETES_VERSION = "1.33"
PINNED_VALIDATOR = "1.37.0"
IMAGE = "registry.example.com/lakeingest/ingest-worker:0.5.0"
ROLE_ARN = "arn:aws:iam::123456789012:role/lakeingest-orders-ingest"
NAMESPACE = "lakeingest"
SECRET = "orders-ingest-pinot"
# The command line whose output is committed as lakeingest-cronjob.yaml (run from the repo root).
EXAMPLE_ARGS = ["--task", "deploy/kubernetes/example-task.json", "--shards", "4", "--image", IMAGE,
                "--namespace", NAMESPACE, "--role-arn", ROLE_ARN, "--pinot-auth-secret", SECRET]
STATIC_KEY_VARIABLES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

sys.path.insert(0, HERE)
import render  # noqa: E402  (the module under test, for its documents before YAML)

try:
    import yaml
    import kubernetes_validate
except ImportError as missing:
    print(f"test_manifests: FAIL: {missing.name} is not installed: python3 -m pip install -r Tests/Fixtures/requirements.txt "
          f"(kubernetes-validate=={PINNED_VALIDATOR})", file=sys.stderr)
    sys.exit(1)


class Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.count = 0

    def check(self, condition: bool, message: str) -> bool:
        self.count += 1
        if not condition:
            self.failures.append(message)
        return bool(condition)


def run_render(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, RENDER, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def walk(node, path=()):
    """Every (path, value) in a document."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, path + (index,))


def dotted(path) -> str:
    return ".".join(str(p) for p in path)


def check_rendering(c: Checks, label: str, text: str, expected_documents: list[dict], shards: int, task_text: str,
                    role_arn: str | None, secret: str | None, schedule: str) -> int:
    """Checks one rendering; returns how many documents validated."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        c.check(False, f"{label}: the output is not YAML: {e}")
        return 0
    c.check(documents == expected_documents,
            f"{label}: the YAML does not read back as the documents render.py built (the emitter lost something)")
    kinds = [d.get("kind") for d in documents]
    if not c.check(kinds == ["ServiceAccount", "ConfigMap", "CronJob"],
                   f"{label}: expected ServiceAccount, ConfigMap, CronJob (and no Secret), got {kinds}"):
        return 0
    validated = 0
    for document in documents:
        name = f"{label}: {document['kind']} {document.get('metadata', {}).get('name')}"
        try:
            version = kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
            c.check(version == KUBERNETES_VERSION, f"{name}: validated against Kubernetes {version}, not {KUBERNETES_VERSION}")
            validated += 1
        except kubernetes_validate.ValidationError as e:
            c.check(False, f"{name} is not valid for Kubernetes {KUBERNETES_VERSION} (strict): {dotted(e.path)}: {e.message}")
        except Exception as e:  # a missing schema and the like
            c.check(False, f"{name} could not be validated: {getattr(e, 'message', e)}")
        metadata = document.get("metadata", {})
        c.check(metadata.get("namespace") == NAMESPACE, f"{name}: namespace {metadata.get('namespace')!r}, not {NAMESPACE!r}")
        c.check(bool(DNS_LABEL.match(metadata.get("name", ""))) and len(metadata["name"]) <= 63,
                f"{name}: the name is not a DNS-1123 label")
        for key, value in metadata.get("labels", {}).items():
            c.check(isinstance(value, str) and len(value) <= 63, f"{name}: label {key} is not a valid label value")

    service_account, config_map, cron_job = documents

    # No static AWS keys anywhere: no such variable, no envFrom that could bring one, no Secret.
    for document in documents:
        for path, value in walk(document):
            if path and path[-1] == "env" and isinstance(value, list):
                for variable in value:
                    c.check(variable.get("name") not in STATIC_KEY_VARIABLES,
                            f"{label}: {document['kind']} sets {variable.get('name')} at {dotted(path)}: AWS keys come from the service account")
                    c.check(variable.get("name") != "JOB_COMPLETION_INDEX",
                            f"{label}: {dotted(path)} sets JOB_COMPLETION_INDEX, which the Job controller must set")
            c.check(not (path and path[-1] == "envFrom"), f"{label}: {dotted(path)}: envFrom could bring in AWS keys; none is wanted")
    for variable in STATIC_KEY_VARIABLES:
        c.check(variable not in text, f"{label}: {variable} appears in the output")

    # The ServiceAccount and its role.
    annotations = service_account["metadata"].get("annotations", {})
    if role_arn:
        c.check(annotations.get("eks.amazonaws.com/role-arn") == role_arn,
                f"{label}: the ServiceAccount's eks.amazonaws.com/role-arn is {annotations.get('eks.amazonaws.com/role-arn')!r}, not {role_arn!r}")
    else:
        c.check("eks.amazonaws.com/role-arn" not in annotations, f"{label}: a Pod Identity ServiceAccount has an IRSA annotation")

    # The ConfigMap holds the task byte for byte.
    data = config_map.get("data", {})
    c.check(list(data) == [render.CONFIG_KEY], f"{label}: the ConfigMap's keys are {list(data)}, not [{render.CONFIG_KEY!r}]")
    c.check(data.get(render.CONFIG_KEY, "").encode("utf-8") == task_text.encode("utf-8"),
            f"{label}: the ConfigMap's {render.CONFIG_KEY} differs from the task file")
    c.check("binaryData" not in config_map, f"{label}: the ConfigMap has binaryData")

    # The CronJob.
    spec = cron_job["spec"]
    c.check(spec.get("concurrencyPolicy") == "Forbid", f"{label}: concurrencyPolicy is {spec.get('concurrencyPolicy')!r}, not Forbid")
    c.check(spec.get("schedule") == schedule, f"{label}: schedule is {spec.get('schedule')!r}, not {schedule!r}")
    c.check(isinstance(spec.get("startingDeadlineSeconds"), int) and spec["startingDeadlineSeconds"] >= 10,
            f"{label}: startingDeadlineSeconds missing or under 10 (Kubernetes may then never start a run)")
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        c.check(isinstance(spec.get(key), int), f"{label}: {key} missing")
    c.check(len(cron_job["metadata"]["name"]) <= 52, f"{label}: a CronJob's name is at most 52 characters")

    job = spec["jobTemplate"]["spec"]
    c.check(job.get("completionMode") == "Indexed", f"{label}: completionMode is {job.get('completionMode')!r}, not Indexed")
    c.check(job.get("completions") == shards and job.get("parallelism") == shards,
            f"{label}: completions {job.get('completions')} and parallelism {job.get('parallelism')} are not both {shards}")
    limit = job.get("backoffLimitPerIndex")
    c.check(isinstance(limit, int) and limit >= 1, f"{label}: backoffLimitPerIndex is {limit!r}, not a retry count")
    if "maxFailedIndexes" in job:
        c.check(0 <= job["maxFailedIndexes"] <= shards, f"{label}: maxFailedIndexes is more than completions")
    c.check(job.get("podReplacementPolicy") == "Failed",
            f"{label}: with a podFailurePolicy Kubernetes requires podReplacementPolicy Failed, got {job.get('podReplacementPolicy')!r}")
    rules = job.get("podFailurePolicy", {}).get("rules", [])
    ignores = [i for i, rule in enumerate(rules) if rule.get("action") == "Ignore"
               and {"type": "DisruptionTarget", "status": "True"} in rule.get("onPodConditions", [])]
    c.check(ignores[:1] == [0], f"{label}: the first podFailurePolicy rule must be Ignore on DisruptionTarget=True (evictions do not count)")
    c.check(any(rule.get("action") == "FailJob" and render.EXIT_USAGE in rule.get("onExitCodes", {}).get("values", [])
                for rule in rules), f"{label}: no FailJob rule on exit code {render.EXIT_USAGE} (the worker's usage error)")

    pod = job["template"]["spec"]
    c.check(pod.get("restartPolicy") == "Never", f"{label}: restartPolicy is {pod.get('restartPolicy')!r}, not Never")
    c.check(pod.get("serviceAccountName") == service_account["metadata"]["name"],
            f"{label}: serviceAccountName {pod.get('serviceAccountName')!r} is not the rendered ServiceAccount")
    containers = pod.get("containers", [])
    c.check(len(containers) == 1, f"{label}: expected one container, got {len(containers)}")
    container = containers[0]
    for rule in rules:
        codes = rule.get("onExitCodes")
        if codes:
            c.check(codes.get("containerName") in (None, container["name"]), f"{label}: an onExitCodes rule names another container")
            c.check(not (codes.get("operator") == "In" and 0 in codes.get("values", [])), f"{label}: an In rule on exit code 0")
    arguments = container.get("command", []) + container.get("args", [])
    pairs = list(zip(arguments, arguments[1:]))
    c.check(("--shards", str(shards)) in pairs, f"{label}: no `--shards {shards}` in {arguments}")
    c.check("run" in arguments, f"{label}: the container does not run `ingest-worker run`")
    c.check(not any(a == "--shard" or a.startswith("--shard=") for a in arguments),
            f"{label}: --shard is given: the index must come from JOB_COMPLETION_INDEX")
    config = dict(pairs).get("--config")
    mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    task_volume = next((v for v in volumes.values() if "configMap" in v), None)
    if c.check(task_volume is not None, f"{label}: no ConfigMap volume"):
        c.check(task_volume["configMap"]["name"] == config_map["metadata"]["name"],
                f"{label}: the volume mounts ConfigMap {task_volume['configMap']['name']!r}, not the rendered one")
        mount = mounts.get(task_volume["name"], {})
        paths = {item["key"]: item["path"] for item in task_volume["configMap"].get("items", [])}
        mounted = f"{mount.get('mountPath')}/{paths.get(render.CONFIG_KEY, render.CONFIG_KEY)}"
        c.check(config == mounted == "/etc/lakeingest/task.json",
                f"{label}: --config {config!r} is not where the task is mounted ({mounted!r})")
        c.check(mount.get("readOnly") is True, f"{label}: the task is not mounted read-only")
    env = {e["name"]: e for e in container.get("env", [])}
    if secret:
        reference = env.get("PINOT_AUTHORIZATION", {}).get("valueFrom", {}).get("secretKeyRef", {})
        c.check(reference.get("name") == secret and "value" not in env.get("PINOT_AUTHORIZATION", {}),
                f"{label}: PINOT_AUTHORIZATION does not come from Secret {secret!r}")
    else:
        c.check("PINOT_AUTHORIZATION" not in env, f"{label}: PINOT_AUTHORIZATION without --pinot-auth-secret")
    resources = container.get("resources", {})
    for key in ("cpu", "memory", "ephemeral-storage"):
        c.check(key in resources.get("requests", {}), f"{label}: no {key} request")
    c.check("memory" in resources.get("limits", {}), f"{label}: no memory limit")
    return validated


def check_refusals(c: Checks, scratch: str) -> int:
    """render.py refuses what N pods could not run, saying why, and prints no manifest."""
    with open(TASK, encoding="utf-8") as f:
        example = json.load(f)
    base = ["--image", IMAGE, "--namespace", NAMESPACE, "--role-arn", ROLE_ARN]

    def variant(name: str, change) -> str:
        task = json.loads(json.dumps(example))
        change(task)
        path = os.path.join(scratch, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(task, f, indent=2)
        return path

    def local_state(task):
        task["stateDir"] = "state"

    def no_state(task):
        del task["stateDir"]

    def shared_folder(task):
        task["stateDir"] = "file:///mnt/shared/orders/"

    def static_keys(task):
        task["source"]["storage"].update(accessKey="AKIAEXAMPLE", secretKey="not-a-real-secret")

    def inline_authorization(task):
        task["push"]["authorization"] = "Bearer not-a-real-token"

    def local_push(task):
        task["push"] = {"mode": "local", "outputDir": "out/segments"}

    cases = [
        ("--shards 0", ["--task", TASK, "--shards", "0", *base], ["--shards", "at least 1"]),
        ("--shards -3", ["--task", TASK, "--shards", "-3", *base], ["--shards", "at least 1"]),
        ("a local stateDir", ["--task", variant("local-state", local_state), "--shards", "2", *base], ["stateDir", "s3://"]),
        ("no stateDir", ["--task", variant("no-state", no_state), "--shards", "2", *base], ["stateDir", "s3://"]),
        ("a file:// stateDir", ["--task", variant("file-state", shared_folder), "--shards", "2", *base], ["stateDir", "s3://"]),
        ("keys in the task", ["--task", variant("keys", static_keys), "--shards", "2", *base], ["service account"]),
        ("push.authorization in the task", ["--task", variant("auth", inline_authorization), "--shards", "2", *base],
         ["--pinot-auth-secret"]),
        ("local push", ["--task", variant("local-push", local_push), "--shards", "2", *base], ["push.mode"]),
        ("IRSA without a role", ["--task", TASK, "--shards", "2", "--image", IMAGE, "--namespace", NAMESPACE], ["--role-arn"]),
    ]
    for label, args, words in cases:
        result = run_render(args)
        c.check(result.returncode != 0, f"render.py accepted {label}")
        c.check(result.stdout == "", f"render.py printed manifests for {label}")
        c.check(all(word in result.stderr for word in words),
                f"render.py's refusal of {label} does not say {words}: {result.stderr.strip()!r}")
        for secret in ("not-a-real-secret", "not-a-real-token"):
            c.check(secret not in result.stderr, f"render.py's refusal of {label} prints the secret")
    return len(cases)


def check_task_bytes(c: Checks, scratch: str) -> int:
    """Task files that are awkward for YAML still reach the ConfigMap byte for byte."""
    with open(TASK, encoding="utf-8") as f:
        example = json.load(f)
    example["schema"]["excludeColumns"] = ["notes: \"internal\"", "#tag", "café ☕", "  spaced"]
    variants = {
        "tabs-and-no-final-newline": json.dumps(example, indent="\t", ensure_ascii=False),
        "blank-lines-at-the-end": json.dumps(example, indent=2) + "\n\n\n",
        "first-line-indented": "  " + json.dumps(example, indent=2) + "\n",
        "crlf": json.dumps(example, indent=2).replace("\n", "\r\n") + "\r\n",
        "one-line": json.dumps(example),
        "whitespace-only-line": json.dumps(example, indent=2).replace("\n", "\n   \n", 1) + "\n",
    }
    for name, text in variants.items():
        path = os.path.join(scratch, name + ".json")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        result = run_render(["--task", path, "--shards", "2", "--image", IMAGE, "--namespace", NAMESPACE, "--role-arn", ROLE_ARN])
        if not c.check(result.returncode == 0, f"task file {name}: render.py failed: {result.stderr.strip()}"):
            continue
        documents = [d for d in yaml.safe_load_all(result.stdout) if d is not None]
        stored = documents[1]["data"][render.CONFIG_KEY]
        with open(path, "rb") as f:
            raw = f.read()
        c.check(stored.encode("utf-8") == raw, f"task file {name}: the ConfigMap does not hold it byte for byte")
    return len(variants)


def main() -> int:
    c = Checks()
    with open(TASK, encoding="utf-8", newline="") as f:
        task_text = f.read()
    schedule = json.loads(task_text).get("schedule", render.DEFAULT_SCHEDULE)
    documents = 0
    renderings = [
        (1, None, "irsa", []),
        (3, SECRET, "irsa", []),
        (16, SECRET, "irsa", ["--schedule", "7 * * * *"]),
        (2, None, "pod-identity", []),
    ]
    for shards, secret, credentials, extra in renderings:
        label = f"N={shards}" + (" (pod identity)" if credentials == "pod-identity" else "")
        args = ["--task", TASK, "--shards", str(shards), "--image", IMAGE, "--namespace", NAMESPACE, *extra]
        if credentials == "irsa":
            args += ["--role-arn", ROLE_ARN]
        else:
            args += ["--credentials", "pod-identity"]
        if secret:
            args += ["--pinot-auth-secret", secret]
        result = run_render(args)
        if not c.check(result.returncode == 0, f"{label}: render.py exited {result.returncode}: {result.stderr.strip()}"):
            continue
        expected = render.build(TASK, shards, IMAGE, NAMESPACE, ROLE_ARN if credentials == "irsa" else None,
                                schedule=extra[1] if extra else None, pinot_auth_secret=secret, credentials=credentials).documents
        documents += check_rendering(c, label, result.stdout, expected, shards, task_text,
                                     ROLE_ARN if credentials == "irsa" else None, secret, extra[1] if extra else schedule)

    # --out writes what standard output shows; the committed example is today's rendering.
    with tempfile.TemporaryDirectory(prefix="lakeingest-k8s-") as scratch:
        out = os.path.join(scratch, "out.yaml")
        printed = run_render(EXAMPLE_ARGS)
        written = run_render([*EXAMPLE_ARGS, "--out", out])
        if c.check(printed.returncode == 0 and written.returncode == 0, f"the example rendering failed: {printed.stderr.strip()}"):
            with open(out, encoding="utf-8") as f:
                c.check(f.read() == printed.stdout and written.stdout == "", "--out does not write what standard output shows")
            try:
                with open(EXAMPLE, encoding="utf-8") as f:
                    committed = f.read()
            except OSError:
                committed = None
            c.check(committed == printed.stdout,
                    "deploy/kubernetes/lakeingest-cronjob.yaml is missing or stale: regenerate it with "
                    f"python3 deploy/kubernetes/render.py {' '.join(EXAMPLE_ARGS[:8])} … --out deploy/kubernetes/lakeingest-cronjob.yaml "
                    "(the exact command is in its first lines)")
            if committed is not None:
                documents += check_rendering(c, "lakeingest-cronjob.yaml", committed,
                                             render.build(TASK, 4, IMAGE, NAMESPACE, ROLE_ARN, pinot_auth_secret=SECRET).documents,
                                             4, task_text, ROLE_ARN, SECRET, schedule)
        refusals = check_refusals(c, scratch)
        awkward = check_task_bytes(c, scratch)

    version = getattr(kubernetes_validate, "__version__", "?")
    note = "" if version == PINNED_VALIDATOR else f" (kubernetes-validate {version}, pinned {PINNED_VALIDATOR})"
    if c.failures:
        for failure in c.failures:
            print(f"test_manifests: FAIL: {failure}", file=sys.stderr)
        print(f"test_manifests: {len(c.failures)} of {c.count} checks failed{note}", file=sys.stderr)
        return 1
    print(f"test_manifests: OK: {c.count} checks; N=1, 3, 16 (and 2 with Pod Identity) rendered, {documents} documents valid "
          f"for Kubernetes {KUBERNETES_VERSION} (strict), {refusals} refusals, {awkward} awkward task files byte for byte, "
          f"lakeingest-cronjob.yaml up to date{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
