#!/usr/bin/env python3
"""Render the Kubernetes manifests that run one LakeIngest task as N shards.

    python3 deploy/kubernetes/render.py --task deploy/kubernetes/example-task.json --shards 4 \
        --image registry.example.com/lakeingest/ingest-worker:0.5.0 --namespace lakeingest \
        --role-arn arn:aws:iam::123456789012:role/lakeingest-orders-ingest \
        [--schedule '*/5 * * * *'] [--pinot-auth-secret orders-ingest-pinot] [--out FILE]

Prints (or writes to --out) one multi-document YAML file:

- a ServiceAccount whose `eks.amazonaws.com/role-arn` annotation gives the pods AWS credentials
  (EKS IRSA web identity), or none with `--credentials pod-identity` (an EKS Pod Identity
  association names the service account instead); never static keys;
- a ConfigMap holding the task configuration byte for byte, mounted at /etc/lakeingest/task.json;
- a CronJob on the task's schedule whose job is an Indexed Job of N pods, pod I running
  `ingest-worker run --config /etc/lakeingest/task.json --shards N`, its shard index taken by the
  worker from JOB_COMPLETION_INDEX, which the Job controller sets.

The Pinot controller's Authorization header value, when it needs one, stays in a Secret the
operator creates (`--pinot-auth-secret NAME`): the pods read it as PINOT_AUTHORIZATION through a
secretKeyRef; this script never sees it and emits no Secret.

It refuses a task the pods could not run as shards: a stateDir that is not s3:// (the shards share
their state through object storage), local push or file:// locations (a pod's own disk is gone
when it ends), and secrets inside the task file (keys, a controller authorization): those belong
to the service account and a Secret, not to a ConfigMap.

Standard library only. The YAML is written by the small emitter at the end of this file rather
than by PyYAML, so that the output carries comments (where the sizes come from, what each Job
field is for) and the script runs wherever python3 does; tests read it back with PyYAML.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shlex
import sys

# Where the pod finds its task: the ConfigMap's single key, mounted as a folder.
CONFIG_DIR = "/etc/lakeingest"
CONFIG_KEY = "task.json"
CONFIG_PATH = f"{CONFIG_DIR}/{CONFIG_KEY}"
CONTAINER = "ingest-worker"
# The worker's scratch: with an s3:// stateDir, sealed segments wait for their push under
# $TMPDIR (StateFolder.open: NSTemporaryDirectory()/lakeingest-…/work-<shard>-<pid>).
SCRATCH_DIR = "/tmp"
DEFAULT_SCHEDULE = "*/5 * * * *"
# swift-argument-parser exits with EX_USAGE (64) when the command line itself is wrong (an unknown
# option such as --shards on an image too old for it, a bad value). Every other failure of
# `ingest-worker run` exits 1 (reportingAnyError in Sources/ingest-worker/ConnectionCommands.swift):
# a refused configuration, credentials, an unreachable catalog or controller, a corrupt file.
EXIT_USAGE = 64
# Kubernetes caps completions at 100,000 when backoffLimitPerIndex is set.
MAX_SHARDS = 100_000
AWS_KEY_FIELDS = ("accessKey", "secretKey", "sessionToken")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# A CronJob's name is at most 52 characters (its Jobs are named "<cron job>-<scheduled minute>",
# 11 more), and an Indexed Job's pod hostname is "<job name>-<index>", at most 63: 40 leaves room
# for both with indexes of up to 5 digits.
MAX_BASE_NAME = 40


class RenderError(Exception):
    """A reason to refuse, in the operator's terms."""


# ---------------------------------------------------------------------------------------------
# The task file
# ---------------------------------------------------------------------------------------------

def load_task(path: str) -> tuple[str, dict]:
    """The task file's text (exactly as stored) and its parsed JSON."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise RenderError(f"cannot read the task configuration {path}: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RenderError(f"{path} is not UTF-8 text") from None
    try:
        task = json.loads(text)
    except json.JSONDecodeError as e:
        raise RenderError(f"{path} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    if not isinstance(task, dict):
        raise RenderError(f"{path} is not a JSON object")
    return text, task


def check_task(task: dict, path: str) -> None:
    """Refuses what N pods could not run; the worker checks everything else when it starts."""
    name = task.get("taskName")
    if not isinstance(name, str) or not name:
        raise RenderError(f'{path}: "taskName" is required (it names the Kubernetes objects)')
    state = task.get("stateDir")
    if not isinstance(state, str) or not re.match(r"^s3://[^/]+", state):
        shown = "absent (default \"state\", a folder)" if state is None else json.dumps(state)
        raise RenderError(
            f'{path}: "stateDir" is {shown}; shards in different pods share their checkpoint, plan and '
            'ledger only through object storage: set "stateDir" to an s3://bucket/prefix/ URI')
    source = task.get("source") if isinstance(task.get("source"), dict) else {}
    push = task.get("push") if isinstance(task.get("push"), dict) else {}
    for block in ("metastore", "storage"):
        credentials = source.get(block)
        if isinstance(credentials, dict):
            given = [key for key in AWS_KEY_FIELDS if credentials.get(key)]
            if given:
                raise RenderError(
                    f'{path}: "source.{block}" holds {", ".join(given)}; in Kubernetes the pods get AWS credentials '
                    "from their service account (IRSA or EKS Pod Identity): remove the keys from the task")
    if push.get("authorization"):
        raise RenderError(
            f'{path}: "push.authorization" holds the controller\'s secret, which would land in a ConfigMap: set it to '
            "null, put the value in a Secret and pass --pinot-auth-secret NAME (the pods read it as PINOT_AUTHORIZATION)")
    if push.get("mode", "local") == "local":
        raise RenderError(
            f'{path}: "push.mode" is local: segments would be written into the pod\'s own filesystem and lost with '
            'it; use "tar" or "metadata" with "push.controllerUri"')
    for key, value in (("source.location", source.get("location")), ("push.deepStoreUri", push.get("deepStoreUri"))):
        if isinstance(value, str) and value.startswith("file:"):
            raise RenderError(f'{path}: "{key}" is {json.dumps(value)}, a path on the machine that wrote the task, '
                              "which the pods do not have: use s3://")


def base_name(task_name: str) -> str:
    """The task name as a DNS-1123 label of at most MAX_BASE_NAME characters; a name that had to be
    shortened keeps a hash of the whole, so two long names do not meet."""
    name = re.sub(r"[^a-z0-9-]+", "-", task_name.lower())
    name = re.sub(r"-{2,}", "-", name).strip("-")
    if not name:
        raise RenderError(f'"taskName" {json.dumps(task_name)} has no letter or digit to name Kubernetes objects with')
    if len(name) > MAX_BASE_NAME:
        digest = hashlib.sha256(task_name.encode()).hexdigest()[:6]
        name = name[:MAX_BASE_NAME - 7].rstrip("-") + "-" + digest
    assert DNS_LABEL.match(name), name
    return name


def check_schedule(schedule: str) -> str:
    fields = schedule.split()
    if len(fields) != 5:
        raise RenderError(f"the schedule {json.dumps(schedule)} is not a five-field cron expression (minute hour day month weekday)")
    return " ".join(fields)


# ---------------------------------------------------------------------------------------------
# The documents
# ---------------------------------------------------------------------------------------------

class Rendering:
    """The documents, and comments keyed by (document index, path of keys and list indexes)."""

    def __init__(self) -> None:
        self.documents: list[dict] = []
        self.comments: dict[tuple, list[str]] = {}

    def add(self, document: dict, comments: dict[tuple, str]) -> None:
        index = len(self.documents)
        self.documents.append(document)
        for path, text in comments.items():
            self.comments[(index,) + path] = text.strip("\n").split("\n")


def build(task_path: str, shards: int, image: str, namespace: str, role_arn: str | None,
          schedule: str | None = None, pinot_auth_secret: str | None = None,
          pinot_auth_key: str = "authorization", credentials: str = "irsa",
          active_deadline_seconds: int = 6 * 3600, backoff_limit_per_index: int = 3) -> Rendering:
    if shards < 1:
        raise RenderError(f"--shards must be at least 1, not {shards}: N is the number of pods (indexes 0 … N-1)")
    if shards > MAX_SHARDS:
        raise RenderError(f"--shards must be at most {MAX_SHARDS} (Kubernetes' limit on completions of a Job with backoffLimitPerIndex)")
    if not image or any(c.isspace() for c in image):
        raise RenderError("--image must name the worker's image, e.g. registry.example.com/lakeingest/ingest-worker:0.5.0")
    if not DNS_LABEL.match(namespace or "") or len(namespace) > 63:
        raise RenderError(f"--namespace {json.dumps(namespace)} is not a Kubernetes namespace name (lowercase letters, digits and '-')")
    if credentials not in ("irsa", "pod-identity"):
        raise RenderError("--credentials is irsa or pod-identity")
    if credentials == "irsa" and not role_arn:
        raise RenderError("--role-arn is required with IRSA: the IAM role the pods assume (arn:aws:iam::ACCOUNT:role/NAME)")
    if role_arn and not ROLE_ARN.match(role_arn):
        raise RenderError(f"--role-arn {json.dumps(role_arn)} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
    if pinot_auth_secret is not None and (not DNS_LABEL.match(pinot_auth_secret) or len(pinot_auth_secret) > 63):
        raise RenderError(f"--pinot-auth-secret {json.dumps(pinot_auth_secret)} is not a Secret name")
    if not re.match(r"^[-._a-zA-Z0-9]+$", pinot_auth_key):
        raise RenderError(f"--pinot-auth-key {json.dumps(pinot_auth_key)} is not a Secret key")
    if active_deadline_seconds < 60:
        raise RenderError("--active-deadline-seconds must be at least 60")
    if not 0 <= backoff_limit_per_index <= 100:
        raise RenderError("--backoff-limit-per-index must be between 0 and 100")

    text, task = load_task(task_path)
    check_task(task, task_path)
    name = base_name(task["taskName"])
    task_schedule = task.get("schedule")
    cron = check_schedule(schedule or (task_schedule if isinstance(task_schedule, str) else None) or DEFAULT_SCHEDULE)

    labels = {
        "app.kubernetes.io/name": "lakeingest",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": "ingest-worker",
    }
    rendering = Rendering()

    # -- ServiceAccount ------------------------------------------------------------------------
    service_account = {"apiVersion": "v1", "kind": "ServiceAccount",
                       "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)}}
    if credentials == "irsa":
        service_account["metadata"]["annotations"] = {"eks.amazonaws.com/role-arn": role_arn}
        sa_comment = (
            "AWS credentials for the pods, and no keys anywhere: EKS (IRSA) sees the role annotation and gives\n"
            "every pod of this service account AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE; the worker's credential\n"
            "chain trades the token for temporary keys (sts:AssumeRoleWithWebIdentity) and refreshes them.\n"
            "The role's trust policy must name this namespace and service account (README.md).")
    else:
        sa_comment = (
            "AWS credentials for the pods come from an EKS Pod Identity association of this service account\n"
            f"with the IAM role (aws eks create-pod-identity-association --namespace {namespace} --service-account {name}\n"
            f"--role-arn {role_arn or 'ROLE_ARN'} ...); EKS then sets AWS_CONTAINER_CREDENTIALS_FULL_URI in the pods.")
    rendering.add(service_account, {(): sa_comment})

    # -- ConfigMap -----------------------------------------------------------------------------
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": f"{name}-task", "namespace": namespace, "labels": dict(labels)},
                  "data": {CONFIG_KEY: text}}
    rendering.add(config_map, {(): f"The task configuration, byte for byte as {task_path}; mounted at {CONFIG_PATH}."})

    # -- CronJob -------------------------------------------------------------------------------
    env = [{"name": "TMPDIR", "value": SCRATCH_DIR}]
    if pinot_auth_secret:
        env.append({"name": "PINOT_AUTHORIZATION",
                    "valueFrom": {"secretKeyRef": {"name": pinot_auth_secret, "key": pinot_auth_key}}})
    container = {
        "name": CONTAINER,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["ingest-worker"],
        "args": ["run", "--config", CONFIG_PATH, "--shards", str(shards)],
        "env": env,
        "resources": {
            "requests": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "4Gi"},
            "limits": {"cpu": "2", "memory": "2Gi", "ephemeral-storage": "8Gi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "task", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "scratch", "mountPath": SCRATCH_DIR},
        ],
    }
    pod_spec = {
        "serviceAccountName": name,
        "automountServiceAccountToken": False,
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": 180,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "fsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "topologySpreadConstraints": [{
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/instance": name}},
        }],
        "containers": [container],
        "volumes": [
            {"name": "task", "configMap": {"name": f"{name}-task", "items": [{"key": CONFIG_KEY, "path": CONFIG_KEY}]}},
            {"name": "scratch", "emptyDir": {}},
        ],
    }
    job_spec = {
        "completionMode": "Indexed",
        "completions": shards,
        "parallelism": shards,
        "backoffLimitPerIndex": backoff_limit_per_index,
        "podReplacementPolicy": "Failed",
        "activeDeadlineSeconds": active_deadline_seconds,
        "podFailurePolicy": {"rules": [
            {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
            {"action": "FailJob", "onExitCodes": {"containerName": CONTAINER, "operator": "In", "values": [EXIT_USAGE]}},
        ]},
        "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
    }
    cron_job = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "schedule": cron,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 180,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {"metadata": {"labels": dict(labels)}, "spec": job_spec},
        },
    }
    J = ("spec", "jobTemplate", "spec")
    P = J + ("template", "spec")
    C = P + ("containers", 0)
    rendering.add(cron_job, {
        (): f"Task {task['taskName']} as {shards} shard(s): every run is an Indexed Job of {shards} pod(s); pod I is shard I\n"
            "(the Job controller sets JOB_COMPLETION_INDEX=I, which the worker reads when --shard is not given).",
        ("spec", "schedule"): "The task's schedule (\"schedule\" in the task, */5 * * * * by default), in UTC like `run --watch`.",
        ("spec", "concurrencyPolicy"): "One run of a task at a time: a schedule that comes while a run is still going is skipped.",
        ("spec", "startingDeadlineSeconds"):
            "A run that cannot start within 3 minutes of its time is skipped; the next one ingests whatever is new.",
        J + ("completionMode",): "Pod I gets index I; the Job is complete when every index 0 … N-1 has one pod that exited 0.",
        J + ("backoffLimitPerIndex",):
            "Failed pods (exit 1, OOM-killed, ...) are retried per index: an index fails after this many retries,\n"
            "and the others go on (no maxFailedIndexes): their pushed segments count for the next run.",
        J + ("podReplacementPolicy",):
            "A replacement pod starts only once the one it replaces has stopped, so one index rarely has two pods\n"
            "(two would do no harm: same segment names, conditional writes to the state).",
        J + ("activeDeadlineSeconds",):
            "A run that hangs (e.g. a pod that cannot start) fails after this, so that Forbid does not block the\n"
            "schedule for ever; set it to a few times the longest run you expect.",
        J + ("podFailurePolicy",):
            "Evictions, preemption, node drains and node-pressure kills (condition DisruptionTarget) are not failures:\n"
            "the index gets a new pod and no retry is spent. Exit 64 is the command line itself refused (an image\n"
            "without --shards, a bad option): the same for every index, so the whole Job fails at once.",
        P + ("automountServiceAccountToken",):
            "The worker never calls the Kubernetes API; IRSA and Pod Identity project their own AWS token.",
        P + ("terminationGracePeriodSeconds",):
            "On SIGTERM a push under way finishes and is checkpointed, then the worker exits 1. A controller\n"
            "request's budget for a 200 MB tarball is push.timeoutSeconds (60) + 200 MB at\n"
            "push.minUploadBytesPerSecond (4 MiB/s), about 110 s: inside this grace period.",
        P + ("topologySpreadConstraints",): "Shards on different nodes where possible: each wants up to 2 cores.",
        C + ("args",): f"--shards {shards}; no --shard: the index comes from JOB_COMPLETION_INDEX.",
        C + ("env",): "No AWS keys here: they come from the service account."
                      + ("\nPINOT_AUTHORIZATION: the controller's Authorization header value, from a Secret you create."
                         if pinot_auth_secret else ""),
        C + ("resources",):
            "Sizes from the worker's measurements (README.md, \"Benchmarks\": SegmentBuild and\n"
            "Benchmarks/segment_build.py, on the 2-core development machine):\n"
            "- cpu: one worker builds about 2.6M rows/s on 2 cores, about 1.3M rows/s per core. N is planned\n"
            "  with the request (1 core = 1.3M rows/s per shard); the limit lets a shard use a second idle core.\n"
            "- memory: a run's peak RSS is about 550 MB whatever the input size, with the default 5M-row\n"
            "  segments; 1Gi leaves room for HTTP bodies and TLS buffers in flight; at 2Gi the pod is OOM-killed,\n"
            "  which counts as a failure of its index. A larger segments.maxRowsPerSegment raises the peak.\n"
            "- ephemeral-storage: sealed segments wait in the scratch emptyDir until pushed; a 5M-row tarball\n"
            "  is about 100-200 MB and a shard pushes each as it is sealed (the step's lineage entry hides\n"
            "  it until the step completes), so a few are in flight: 4Gi is requested, and above 8Gi the\n"
            "  kubelet kills the pod (not an eviction that podFailurePolicy ignores: it counts against\n"
            "  backoffLimitPerIndex).",
        C + ("securityContext",): f"A read-only root: the worker writes only under $TMPDIR ({SCRATCH_DIR}, the scratch emptyDir).",
    })
    return rendering


# ---------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_/.][A-Za-z0-9_/.:@=+-]*$")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _unprintable(c: str) -> bool:
    """Characters YAML does not allow raw in a scalar, or reads as line breaks (NEL, LS, PS)."""
    o = ord(c)
    return ((o < 0x20 and c not in "\t\n") or 0x7F <= o <= 0x9F or o in (0x2028, 0x2029, 0xFEFF)
            or 0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF))


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: backslash escapes for quotes, backslashes and anything unprintable."""
    out = []
    for c in text:
        if c in "\\\"":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif _unprintable(c):
            out.append(f"\\x{ord(c):02X}" if ord(c) <= 0xFF else f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _scalar(value) -> str:
    """A scalar that reads back as the same value in YAML 1.1 (PyYAML) and YAML 1.2 parsers."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if (_PLAIN.match(value) and value.lower() not in _YAML11_WORDS and not value.endswith(":")
                and not re.match(r"^\.([0-9]|(inf|nan)$)", value, re.I)):
            return value
        return _quoted(value)
    raise TypeError(f"no YAML for {type(value).__name__}")


def _flow(items: list) -> str:
    return "[" + ", ".join(_quoted(item) if isinstance(item, str) else _scalar(item) for item in items) + "]"


def _literal(text: str, indent: int) -> str | None:
    """`text` as a block literal whose content sits at indent + 2, or None when a literal cannot
    hold it exactly (then it is double-quoted)."""
    content = text.rstrip("\n")
    trailing = len(text) - len(content)
    if not content or "\r" in text or any(_unprintable(c) for c in text):
        return None
    lines = content.split("\n")
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    lines += [""] * max(0, trailing - 1)
    # Content lines whose first characters are spaces would be taken for the block's indentation:
    # then the indentation is given explicitly (2, relative to the key's mapping).
    first = next((line for line in lines if line), "")
    indicator = "2" if first.startswith(" ") or any(line and not line.strip(" ") for line in lines) else ""
    pad = " " * (indent + 2)
    return f"|{indicator}{chomp}\n" + "\n".join(pad + line if line else "" for line in lines)


def _emit(node, indent: int, path: tuple, comments: dict, out: list[str], first_prefix: str | None = None) -> None:
    """Writes a mapping or a list at `indent`; `first_prefix` replaces the first line's indentation
    (the "- " of a list item whose first key sits on the dash's line)."""
    pad = " " * indent
    if isinstance(node, dict):
        for i, (key, value) in enumerate(node.items()):
            lead = first_prefix if (i == 0 and first_prefix is not None) else pad
            for line in comments.get(path + (key,), []):
                out.append(f"{lead}# {line}")
                lead = pad
            head = f"{lead}{_scalar(key)}:"
            if isinstance(value, dict) and value:
                out.append(head)
                _emit(value, indent + 2, path + (key,), comments, out)
            elif isinstance(value, list) and value and all(not isinstance(v, (dict, list)) for v in value):
                out.append(f"{head} {_flow(value)}")
            elif isinstance(value, list) and value:
                out.append(head)
                _emit(value, indent + 2, path + (key,), comments, out)
            elif isinstance(value, (dict, list)):
                out.append(f"{head} {'{}' if isinstance(value, dict) else '[]'}")
            elif isinstance(value, str) and "\n" in value and (block := _literal(value, indent)) is not None:
                out.append(f"{head} {block}")
            else:
                out.append(f"{head} {_scalar(value)}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and item:
                _emit(item, indent + 2, path + (i,), comments, out, first_prefix=f"{pad}- ")
            elif isinstance(item, (dict, list)):
                raise TypeError("nested or empty collections in lists are not used here")
            else:
                out.append(f"{pad}- {_scalar(item)}")
    else:
        raise TypeError(f"no YAML for {type(node).__name__}")


def to_yaml(rendering: Rendering, header: list[str]) -> str:
    out = [f"# {line}" if line else "#" for line in header]
    for index, document in enumerate(rendering.documents):
        out.append("---")
        out.extend(f"# {line}" for line in rendering.comments.get((index,), []))
        _emit(document, 0, (index,), rendering.comments, out)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="render.py",
        description="Render a ServiceAccount, a ConfigMap and a CronJob (an Indexed Job of N shards) for one LakeIngest task.")
    parser.add_argument("--task", required=True, help="the task configuration (JSON); stateDir must be s3://")
    parser.add_argument("--shards", required=True, type=int, help="N: pods per run, one per shard (at least 1)")
    parser.add_argument("--image", required=True, help="the ingest-worker image")
    parser.add_argument("--namespace", required=True, help="the namespace of every object")
    parser.add_argument("--role-arn", help="the IAM role the pods use (required with IRSA)")
    parser.add_argument("--credentials", default="irsa", choices=["irsa", "pod-identity"],
                        help="irsa (default: the role annotation on the service account) or pod-identity (an EKS Pod Identity association)")
    parser.add_argument("--schedule", help="a five-field cron expression, UTC (default: the task's schedule, else */5 * * * *)")
    parser.add_argument("--pinot-auth-secret", help="a Secret holding the controller's Authorization header value, read as PINOT_AUTHORIZATION")
    parser.add_argument("--pinot-auth-key", default="authorization", help="its key (default: authorization)")
    parser.add_argument("--active-deadline-seconds", type=int, default=6 * 3600, help="a run's time limit (default: 21600)")
    parser.add_argument("--backoff-limit-per-index", type=int, default=3, help="retries per index (default: 3)")
    parser.add_argument("--out", help="write here instead of standard output")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_arguments(argv)
    try:
        rendering = build(args.task, args.shards, args.image, args.namespace, args.role_arn,
                          schedule=args.schedule, pinot_auth_secret=args.pinot_auth_secret,
                          pinot_auth_key=args.pinot_auth_key, credentials=args.credentials,
                          active_deadline_seconds=args.active_deadline_seconds,
                          backoff_limit_per_index=args.backoff_limit_per_index)
    except RenderError as e:
        print(f"render.py: {e}", file=sys.stderr)
        return 2
    shown = []
    skip = False
    for arg in argv:  # the command line that made the file, without where it was written
        if skip:
            skip = False
        elif arg == "--out":
            skip = True
        elif not arg.startswith("--out="):
            shown.append(arg)
    header = ["Rendered by deploy/kubernetes/render.py; render again rather than editing:",
              "  python3 deploy/kubernetes/render.py " + shlex.join(shown),
              "Apply with kubectl apply -f FILE (the namespace must exist). See deploy/kubernetes/README.md."]
    text = to_yaml(rendering, header)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
