#!/usr/bin/env python3
"""python-openstackclient against both lab sites over HTTPS (issue 13).

Usage: openstack_matrix.py CLOUDS_YAML SITE...
Runs read calls, server stop/start, volume create, manage (create --remote-source),
create-from-volume, delete and floating IPs (create with an address, set and unset the port,
delete) per site; prints one line per call and a summary; exits 1 on any
failure. Each command is a separate `openstack` process, as an operator would run it."""
import json
import os
import subprocess
import sys
import time

CLOUDS, SITES = sys.argv[1], sys.argv[2:]
env = dict(os.environ, OS_CLIENT_CONFIG_FILE=CLOUDS)
results = []


def osc(cloud, *args, parse=True):
    cmd = ["openstack", "--os-cloud", cloud, *args]
    if parse:
        cmd += ["-f", "json"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError((p.stderr or p.stdout).strip().splitlines()[-1:] or ["failed"])
    return json.loads(p.stdout) if parse and p.stdout.strip() else p.stdout


def check(site, name, fn):
    started = time.monotonic()
    try:
        detail = fn() or ""
        ok = True
    except Exception as e:  # noqa: BLE001 - every failure is a row of the matrix
        detail, ok = f"{type(e).__name__}: {e}", False
    ms = int((time.monotonic() - started) * 1000)
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {site:8} {name:34} {ms:6} ms  {detail}", flush=True)


def wait_for(cloud, kind, ident, field, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        got = osc(cloud, kind, "show", ident)[field]
        if got == wanted:
            return got
        if time.monotonic() > deadline:
            raise RuntimeError(f"{kind} {ident}: {field} is {got}, never {wanted}")
        time.sleep(0.2)


def site_matrix(site):
    cloud = f"lab-{site}"
    s = {}

    def count(kind, *extra):
        return lambda: f"{len(osc(cloud, kind, 'list', *extra))} listed"

    check(site, "token issue", lambda: "ok" if osc(cloud, "token", "issue")["id"] else "")
    check(site, "catalog list", count("catalog"))
    check(site, "server list", count("server"))
    check(site, "flavor list", count("flavor"))
    check(site, "flavor show (os-extra_specs)",
          lambda: str(osc(cloud, "flavor", "show", "m1.small")["properties"]))
    check(site, "network list", count("network"))

    def subnet():
        sub = osc(cloud, "subnet", "list")[0]
        shown = osc(cloud, "subnet", "show", sub["ID"])
        assert shown["gateway_ip"] and shown["allocation_pools"], shown
        return f"gateway {shown['gateway_ip']}"
    check(site, "subnet show (gateway, pools)", subnet)
    check(site, "port list", count("port"))
    check(site, "volume list", count("volume"))
    check(site, "volume type list", count("volume type"))
    check(site, "volume service list", count("volume service"))

    def create_volume():
        v = osc(cloud, "volume", "create", "--size", "1", "--type", "replicated", "contract-vol")
        s["vol"] = v["id"]
        return wait_for(cloud, "volume", v["id"], "status", "available")
    check(site, "volume create", create_volume)

    def manage():
        array = osc(cloud, "volume", "show", s["vol"])
        host = array["os-vol-host-attr:host"]
        # Unmanage the new volume, then manage its array volume again (sends metadata: null).
        backing = f"volume-{s['vol']}-cinder"
        osc(cloud, "volume", "delete", "--remote", s["vol"], parse=False)
        v = osc(cloud, "volume", "create", "--remote-source", f"source-name={backing}",
                "--host", host, "--type", "replicated", "contract-managed")
        s["vol"] = v["id"]
        return wait_for(cloud, "volume", v["id"], "status", "available")
    check(site, "volume manage (--remote-source)", manage)

    def server_from_volume():
        net = osc(cloud, "network", "list")[0]["ID"]
        srv = osc(cloud, "server", "create", "--flavor", "m1.small", "--volume", s["vol"],
                  "--network", net, "contract-server")
        s["srv"] = srv["id"]
        return wait_for(cloud, "server", srv["id"], "status", "ACTIVE")
    check(site, "server create from volume", server_from_volume)

    def stop_start():
        osc(cloud, "server", "stop", s["srv"], parse=False)
        wait_for(cloud, "server", s["srv"], "status", "SHUTOFF")
        osc(cloud, "server", "start", s["srv"], parse=False)
        return wait_for(cloud, "server", s["srv"], "status", "ACTIVE")
    check(site, "server stop / start", stop_start)

    def delete():
        ports = osc(cloud, "port", "list", "--device-id", s["srv"])
        assert len(ports) == 1, ports
        osc(cloud, "server", "delete", "--wait", s["srv"], parse=False)
        left = osc(cloud, "port", "list", "--device-id", s["srv"])
        assert not left and not any(p["ID"] == ports[0]["ID"]
                                    for p in osc(cloud, "port", "list")), "port left behind"
        wait_for(cloud, "volume", s["vol"], "status", "available")
        osc(cloud, "volume", "delete", s["vol"], parse=False)
        return "server, its port and the volume gone"
    check(site, "server delete (its port with it)", delete)

    check(site, "floating ip list", count("floating ip"))

    def floating_ip():
        port = osc(cloud, "port", "create", "--network", osc(cloud, "network", "list",
                   "--internal")[0]["ID"], "contract-fip-port")
        fip = osc(cloud, "floating ip", "create", "--floating-ip-address", "203.0.113.250",
                  "public")
        s["fip"] = fip["id"]
        osc(cloud, "floating ip", "set", "--port", port["id"], fip["id"], parse=False)
        shown = osc(cloud, "floating ip", "show", fip["id"])
        assert shown["port_id"] == port["id"] and shown["status"] == "ACTIVE", shown
        listed = osc(cloud, "floating ip", "list", "--port", port["id"])
        assert [f["ID"] for f in listed] == [fip["id"]], listed
        osc(cloud, "floating ip", "unset", "--port", fip["id"], parse=False)
        assert osc(cloud, "floating ip", "show", fip["id"])["port_id"] is None
        osc(cloud, "floating ip", "delete", fip["id"], parse=False)
        osc(cloud, "port", "delete", port["id"], parse=False)
        return f"{shown['floating_ip_address']} set on a port, unset, deleted"
    check(site, "floating ip create/set/unset/delete", floating_ip)


for site in SITES:
    site_matrix(site)
passed = sum(results)
print(f"openstack client matrix: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
