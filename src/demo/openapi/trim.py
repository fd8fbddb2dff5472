#!/usr/bin/env python3
"""Trim Kubernetes' published OpenAPI v3 document for core/v1 to what the demo serves.

Source: kubernetes-sigs/kubectl-validate, pkg/openapiclient/builtins/1.32/api/v1.json at
commit a97ccfaca20b164819afdae780392496f6ed6bbd (Apache-2.0), which is the generated
api/openapi-spec/v3/api__v1_openapi.json of Kubernetes 1.32.

Kept: the paths of the kinds the demo stores (pods and their subresources, services,
configmaps, secrets, endpoints), events and namespaces; every schema those paths reach,
with its descriptions (so `kubectl explain` works). Dropped: every other path and schema,
and the descriptions of operations, parameters and responses.

Usage: python3 trim.py v1.json > api-v1.json
"""
import json
import re
import sys

KINDS = {"pods", "services", "configmaps", "secrets", "endpoints", "events", "namespaces"}
SUBRESOURCES = {None, "/status", "/log", "/exec", "/portforward", "/ephemeralcontainers"}
PATH = re.compile(r"^/api/v1/(namespaces/\{namespace\}/)?([a-z]+)(/\{name\})?(/[a-z]+)?$")


def refs(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value.rsplit("/", 1)[-1])
            else:
                refs(value, found)
    elif isinstance(node, list):
        for item in node:
            refs(item, found)


def undescribed(node):
    if isinstance(node, dict):
        return {k: undescribed(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [undescribed(x) for x in node]
    return node


def main():
    doc = json.load(open(sys.argv[1]))
    paths = {}
    for path, item in doc["paths"].items():
        m = PATH.match(path)
        if m and m.group(2) in KINDS and m.group(4) in SUBRESOURCES:
            paths[path] = undescribed(item)
    schemas = doc["components"]["schemas"]
    todo, seen = set(), set()
    refs(paths, todo)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            refs(schemas[name], todo)
    out = {
        "openapi": doc["openapi"],
        "info": doc["info"],
        "paths": paths,
        "components": {"schemas": {k: schemas[k] for k in sorted(seen)}},
    }
    json.dump(out, sys.stdout, separators=(",", ":"), sort_keys=True)


main()
