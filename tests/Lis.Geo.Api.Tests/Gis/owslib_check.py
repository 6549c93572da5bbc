#!/usr/bin/env python3
"""Reads a running Lis.Geo API with OWSLib, as a Python GIS user would, and prints what it saw as JSON.

    python3 owslib_check.py http://127.0.0.1:5080 zones-lsoa11

OwsLibSharedDataTests runs it and compares every figure with SQL written by hand against the database; run by
hand it shows what OWSLib gets. Only OWSLib's own calls are used (Features: conformance, collections,
collection, queryables, items with limit/bbox/filter/property=value, one item; Processes: the list and one
process). Paging follows the `next` links through collection_items, with the parameters each link gives.
"""
import json
import sys
from urllib.parse import parse_qsl, urlsplit

import owslib
from owslib.ogcapi.features import Features
from owslib.ogcapi.processes import Processes

base, layer = sys.argv[1], sys.argv[2]
BBOX = [-1.9, 52.4, -1.8, 52.5]  # central Birmingham, CRS84
out = {"owslib": owslib.__version__}

api = Features(base)
out["conformance"] = api.conformance()["conformsTo"]
out["feature_collections"] = api.feature_collections()
c = api.collection(layer)
out["collection"] = {"id": c["id"], "bbox": c["extent"]["spatial"]["bbox"][0], "links": sorted({l["rel"] for l in c["links"]})}
out["queryables"] = {k: v.get("type") or v.get("format") for k, v in api.collection_queryables(layer)["properties"].items()}


def ids(page):
    return [f["id"] for f in page["features"]]


first = api.collection_items(layer, limit=10)
out["first_page"] = {"numberMatched": first["numberMatched"], "numberReturned": first["numberReturned"], "ids": ids(first),
                     "properties": first["features"][0]["properties"], "geometry_type": first["features"][0]["geometry"]["type"]}


def all_pages(**params):
    """Every feature of a query, following next links; returns (ids, pages)."""
    seen, pages = [], 0
    while True:
        page = api.collection_items(layer, **params)
        pages += 1
        seen += ids(page)
        nxt = [l["href"] for l in page["links"] if l["rel"] == "next"]
        if not nxt:
            return seen, pages
        params = dict(parse_qsl(urlsplit(nxt[0]).query))
        if "bbox" in params:  # collection_items joins a list: give it the link's numbers as one
            params["bbox"] = params["bbox"].split(",")


every, pages = all_pages(limit=500)
out["paging"] = {"ids": len(every), "distinct": len(set(every)), "pages": pages}
boxed, _ = all_pages(bbox=BBOX, limit=1000)
out["bbox"] = sorted(boxed)
filtered, _ = all_pages(filter="imd_decile = 1 AND population > 1500", limit=1000)
out["filter_text"] = sorted(filtered)
filtered_json, _ = all_pages(**{"filter": json.dumps({"op": "and", "args": [
    {"op": "=", "args": [{"property": "imd_decile"}, 1]}, {"op": ">", "args": [{"property": "population"}, 1500]}]}),
    "filter-lang": "cql2-json", "limit": 1000})
out["filter_json"] = sorted(filtered_json)
by_value, _ = all_pages(imd_decile=1, limit=1000)
out["property_equals"] = sorted(by_value)
one = api.collection_item(layer, first["features"][0]["id"])
out["item"] = {"id": one["id"], "properties": one["properties"]}

p = Processes(base)
# OWSLib 0.27 (Debian 12) reads the list and one process; it has no execute or job calls.
out["processes"] = [x["id"] for x in p.processes()["processes"]]
d = p.process("zone-access")
out["process"] = {"id": d["id"], "inputs": sorted(d["inputs"]), "outputs": sorted(d["outputs"])}

json.dump(out, sys.stdout)
