#!/usr/bin/env python3
"""py-pure-client (the FlashArray REST 2.x client) against both lab arrays (issue 13).

Usage: pure_matrix.py LAB_DIR
Reads LAB_DIR/drconsole.toml for each array's URL and token file and LAB_DIR/ca.pem for the
CA; runs list calls, paging, sort, filter, snapshots, login and logout; prints one line per call
and a summary; exits 1 on any failure."""
import os
import re
import sys
import time
import urllib.request
import ssl

from pypureclient import flasharray
from pypureclient.configuration import Configuration

LAB = sys.argv[1]
CA = os.path.join(LAB, "ca.pem")
results = []


def arrays():
    text = open(os.path.join(LAB, "drconsole.toml")).read()
    for block in text.split("[sites.array]")[1:]:
        url = re.search(r'url = "https://([^"]+)"', block).group(1)
        name = re.search(r'name = "([^"]+)"', block).group(1)
        token_file = re.search(r'api_token_file = "([^"]+)"', block).group(1)
        token = open(os.path.join(LAB, token_file)).read().strip()
        yield name, url, token


def check(array, name, fn):
    started = time.monotonic()
    try:
        detail = fn() or ""
        ok = True
    except Exception as e:  # noqa: BLE001 - every failure is a row of the matrix
        detail, ok = f"{type(e).__name__}: {e}", False
    ms = int((time.monotonic() - started) * 1000)
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {array:8} {name:34} {ms:6} ms  {detail}", flush=True)


def ok(resp):
    if resp.status_code != 200:
        raise RuntimeError(f"{resp.status_code}: {[e.message for e in resp.errors]}")
    return resp


def names(resp):
    return [i.name for i in ok(resp).items]


def raw_status(target, path, session):
    ctx = ssl.create_default_context(cafile=CA)
    req = urllib.request.Request(f"https://{target}{path}", headers={"x-auth-token": session})
    try:
        with urllib.request.urlopen(req, context=ctx) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def array_matrix(array, target, token):
    config = Configuration(ssl_ca_cert=CA)
    s = {}

    def connect():
        s["c"] = flasharray.Client(target, api_token=token, configuration=config,
                                   verify_ssl=True)
        return f"REST {s['c'].get_rest_version()}"
    check(array, "api_version + login (HTTPS, lab CA)", connect)
    c = s.get("c")
    if c is None:
        return
    check(array, "get_arrays", lambda: ", ".join(names(c.get_arrays())))
    check(array, "get_array_connections",
          lambda: ", ".join(f"{i.name} {i.status}" for i in ok(c.get_array_connections()).items))
    check(array, "get_volumes", lambda: f"{len(names(c.get_volumes()))} volumes")
    check(array, "get_protection_groups", lambda: ", ".join(names(c.get_protection_groups())))

    def paging():
        everything = names(c.get_volumes(sort=["name"]))
        first = ok(c.get_volumes(sort=["name"], limit=2))
        assert first.total_item_count == len(everything), first.total_item_count
        pages, token_ = [[i.name for i in first.items]], first.continuation_token
        while token_:
            page = ok(c.get_volumes(sort=["name"], limit=2, continuation_token=token_))
            pages.append([i.name for i in page.items])
            token_ = page.continuation_token
        walked = [n for p in pages for n in p]
        assert walked == everything, (walked, everything)
        return f"{len(pages)} pages of 2 = {len(walked)} volumes"
    check(array, "paging (limit, continuation_token)", paging)

    def auto_paging():
        pager = flasharray.Client(target, api_token=token, configuration=config,
                                  auto_pagination_limit=3)
        got = names(pager.get_volumes())
        assert len(got) == len(names(c.get_volumes())), got
        return f"{len(got)} volumes in pages of 3"
    check(array, "auto pagination", auto_paging)

    def offset():
        everything = names(c.get_volumes(sort=["name"]))
        got = names(c.get_volumes(sort=["name"], offset=1, limit=2))
        assert got == everything[1:3], (got, everything)
        return "offset 1 limit 2"
    check(array, "offset", offset)

    def filters():
        live = names(c.get_volumes(filter="destroyed='false'"))
        web = names(c.get_protection_groups(filter="name='*web-app-pg'"))
        assert len(web) == 1 and web[0].endswith("web-app-pg"), web
        both = names(c.get_protection_groups(
            filter="name='*web-app-pg' or name='*batch-pg'"))
        assert len(both) == 2, both
        return f"{len(live)} live volumes; groups {', '.join(both)}"
    check(array, "filter (=, wildcard)", filters)

    local = [g for g in names(c.get_protection_groups()) if ":" not in g]

    def snapshots():
        if not local:
            return "no local group (the DR array receives)"
        made = ok(c.post_protection_group_snapshots(source_names=[local[0]]))
        snap = list(made.items)[0].name
        members = [i.member.name for i in
                   ok(c.get_protection_groups_volumes(group_names=[local[0]])).items]
        return f"took {snap} of {len(members)} volumes"
    check(array, "post snapshot, group members", snapshots)

    def sort_newest():
        every = list(ok(c.get_protection_group_snapshots(sort=["created"])).items)
        newest = list(ok(c.get_protection_group_snapshots(sort=["created-"], limit=1)).items)
        assert len(newest) == 1 and newest[0].created == max(s.created for s in every), newest
        return f"newest of {len(every)}: {newest[0].name}"
    check(array, "sort created- limit 1 (newest)", sort_newest)

    def transfers_and_volume_snapshots():
        snaps = list(ok(c.get_protection_group_snapshots(sort=["created-"], limit=1)).items)
        t = list(ok(c.get_protection_group_snapshots_transfer(names=[snaps[0].name])).items)
        vs = list(ok(c.get_volume_snapshots()).items)
        return f"transfer progress {t[0].progress}, {len(vs)} volume snapshots"
    check(array, "transfer, volume snapshots", transfers_and_volume_snapshots)

    def logout():
        session = c._token_man  # the client's own login/logout
        old = session.get_session_token()
        assert raw_status(target, "/api/2.17/volumes", old) == 200
        new = session.get_session_token(refresh=True)  # POST /logout with the old, login again
        assert new != old
        assert raw_status(target, "/api/2.17/volumes", old) == 401, "old session still valid"
        names(c.get_volumes())
        return "old session refused after /logout, new one works"
    check(array, "logout, login again", logout)

    def bad_name():
        resp = c.get_volumes(names=["no-such-volume"])
        assert resp.status_code == 400, resp.status_code
        return resp.errors[0].message
    check(array, "unknown name (FlashArray error)", bad_name)


for array, target, token in arrays():
    array_matrix(array, target, token)
passed = sum(results)
print(f"FlashArray client matrix: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
