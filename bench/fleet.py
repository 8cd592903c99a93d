#!/usr/bin/python3
"""fleet.py HARDENWIZ: part of make bench. The same SSH hardening on three
hosts, once with the hardenwiz role (contrib/ansible) and once written as
plain Ansible tasks (lineinfile, validated with sshd -t, as the blogs and
most roles do it): the wall time of a fleet run and of its check mode, and
what each catches on four cases a fleet meets.

The hosts are sandbox roots (hardenwiz --root; the plain tasks edit the
same paths) over Ansible's local connection, so the times are Ansible's
and the tools' work, without SSH round trips (t0210 runs the role over
SSH). Every verdict is measured: the play's own result per host, the files
before and after, and sshd -T on the root afterwards. A benchmark, not a
test: it prints and judges nothing.
"""
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HW = os.path.realpath(sys.argv[1])
SRC = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
RUNS = int(os.environ.get("FLEET_RUNS", "3"))
HOSTS = ("h1", "h2", "h3")

SSH = {"port": 2222, "password_authentication": False,
       "permit_root_login": "prohibit-password"}
PLAIN_KEYS = {"port": "Port", "password_authentication":
              "PasswordAuthentication", "permit_root_login":
              "PermitRootLogin"}

# sshd -t on a root's /etc/ssh: the file in a mount namespace where the
# root's /etc/ssh is /etc/ssh (Include lines name absolute paths).
SSHD_IN_ROOT = ("mount --make-rprivate / && mount --bind \"$1/etc/ssh\" "
                "/etc/ssh && mount -t tmpfs tmpfs /run && mkdir /run/sshd "
                "&& shift && exec /usr/sbin/sshd \"$@\"")

PLAIN_PLAY = """\
- name: Harden sshd with plain tasks
  hosts: all
  gather_facts: false
  tasks:
    - name: sshd_config lines
      ansible.builtin.lineinfile:
        path: "{{ root }}/etc/ssh/sshd_config"
        regexp: "^#?\\\\s*{{ item.key }}\\\\s"
        line: "{{ item.key }} {{ item.value }}"
        validate: >-
          /usr/bin/unshare -m /bin/sh -c '%s' sh {{ root }} -t -f %%s
      loop: "{{ sshd | dict2items }}"
""" % SSHD_IN_ROOT


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def make_root(path, case):
    shutil.copytree(os.path.join(SRC, "tests/fixtures/debian12"), path,
                    symlinks=True)
    for dirpath, _, files in os.walk(path):
        for f in files:
            if f == ".keep":
                os.unlink(os.path.join(dirpath, f))
    os.makedirs(os.path.join(path, "etc/ssh/sshd_config.d"), exist_ok=True)
    os.chmod(os.path.join(path, "root"), 0o700)
    os.chmod(os.path.join(path, "root/.ssh"), 0o700)
    sh(["ssh-keygen", "-A", "-f", path], check=True)
    if case == "no key":
        os.unlink(os.path.join(path, "root/.ssh/authorized_keys"))
    if case == "drop-in":
        # What Debian's cloud images ship: sshd takes the first value, and
        # sshd_config includes the drop-ins at its top.
        with open(os.path.join(path, "etc/ssh/sshd_config.d/"
                               "50-cloud-init.conf"), "w") as f:
            f.write("PasswordAuthentication yes\n")


def tree(path):
    out = []
    for dirpath, dirs, files in sorted(os.walk(path)):
        if "var/lib/hardenwiz" in dirpath:
            continue
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as fh:
                    out.append((p, hashlib.sha256(fh.read()).hexdigest()))
    return out


def sshd_t(root):
    r = sh(["unshare", "-m", "sh", "-c", SSHD_IN_ROOT, "sh", root, "-T"])
    if r.returncode != 0:
        return None
    return dict(line.split(" ", 1) for line in r.stdout.splitlines()
                if " " in line)


def has_key(root):
    for d in ["root"] + ["home/" + h for h in os.listdir(root + "/home")]:
        p = os.path.join(root, d, ".ssh/authorized_keys")
        if os.path.exists(p) and os.path.getsize(p) > 0:
            return True
    return False


class Fleet:
    def __init__(self, tmp, case, ssh):
        self.tmp = tmp
        self.case = case
        self.ssh = ssh
        self.roots = {h: os.path.join(tmp, h) for h in HOSTS}
        for root in self.roots.values():
            make_root(root, case)
        self.before = {h: tree(r) for h, r in self.roots.items()}
        with open(os.path.join(tmp, "inventory"), "w") as f:
            f.write("[fleet]\n")
            for h, r in self.roots.items():
                f.write("%s root=%s hardenwiz_root=%s\n" % (h, r, r))
            f.write("[fleet:vars]\nansible_connection=local\n"
                    "ansible_python_interpreter=/usr/bin/python3\n"
                    "hardenwiz_install=false\nhardenwiz_binary=%s\n"
                    "hardenwiz_recipe_path=%s/recipe-{{ inventory_hostname }}"
                    ".conf\n" % (HW, tmp))
        with open(os.path.join(tmp, "vars.json"), "w") as f:
            json.dump({"hardenwiz_recipe": {"ssh": ssh},
                       "sshd": {PLAIN_KEYS[k]: ("no" if v is False else v)
                                for k, v in ssh.items()}}, f)
        with open(os.path.join(tmp, "plain.yml"), "w") as f:
            f.write(PLAIN_PLAY)

    def env(self):
        """Ansible's environment: its files in this fleet's directory."""
        return dict(os.environ, ANSIBLE_NOCOLOR="1", HOME=self.tmp,
                    ANSIBLE_LOCAL_TEMP=os.path.join(self.tmp, "alocal"),
                    ANSIBLE_REMOTE_TEMP=os.path.join(self.tmp, "aremote"),
                    ANSIBLE_RETRY_FILES_ENABLED="0")

    def play(self, way, check=False):
        book = (os.path.join(SRC, "contrib/ansible/site.yml")
                if way == "hardenwiz" else os.path.join(self.tmp, "plain.yml"))
        cmd = ["ansible-playbook", "-i", os.path.join(self.tmp, "inventory"),
               "-e", "@" + os.path.join(self.tmp, "vars.json"), book]
        if check:
            cmd += ["--check", "--diff"]
        if way == "hardenwiz":
            # One batch, as the plain play runs (site.yml's default is
            # batches of 30 %: three hosts would run one after another).
            cmd += ["-e", "hardenwiz_serial=3"]
        start = time.monotonic()
        r = sh(cmd, env=self.env())
        took = time.monotonic() - start
        failed = {h for h in HOSTS
                  for line in r.stdout.splitlines()
                  if line.startswith(h + " ") and " failed=0 " not in line}
        return took, failed, r

    def verdict(self, way, check):
        """What the run did on h1: refused (failed, nothing written),
        in effect, not in effect, locked out, or sshd broken."""
        _, failed, _ = self.play(way, check)
        root = self.roots["h1"]
        changed = tree(root) != self.before["h1"]
        if check:
            if changed:
                return "wrote in check mode"
            return "refused" if "h1" in failed else "would apply"
        if "h1" in failed:
            return "refused" if not changed else "failed half way"
        now = sshd_t(root)
        if now is None:
            return "sshd -T fails: sshd would not start"
        want_pw = "no" if not self.ssh["password_authentication"] else "yes"
        if now.get("passwordauthentication") != want_pw or \
                now.get("port") != str(self.ssh["port"]):
            return "applied, not in effect"
        if want_pw == "no" and not has_key(root):
            return "applied: nobody can log in"
        return "applied, in effect"

    def rollback(self):
        book = os.path.join(SRC, "contrib/ansible/rollback.yml")
        sh(["ansible-playbook", "-i", os.path.join(self.tmp, "inventory"),
            book], env=self.env())
        return all(tree(r) == self.before[h] for h, r in self.roots.items())


def timed(way, check):
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="hwfleet.") as tmp:
            took, failed, r = Fleet(tmp, "plain", SSH).play(way, check)
            if failed:
                sys.exit("bench: the %s fleet run failed:\n%s"
                         % (way, r.stdout[-2000:]))
            times.append(took)
    return statistics.median(times) * 1000


def main():
    if shutil.which("ansible-playbook") is None:
        print("fleet: skipped (needs ansible-playbook: make deps-test)")
        return
    print("\nThree hosts, the SSH recipe (port 2222, no password, root by "
          "key): the hardenwiz role\nagainst plain lineinfile tasks "
          "validated with sshd -t, one batch (median of %d runs)." % RUNS)
    for check in (False, True):
        label = "check mode" if check else "apply"
        hw = timed("hardenwiz", check)
        plain = timed("plain", check)
        print("%-44s %8.0f ms   plain tasks: %6.0f ms"
              % ("fleet run, role, " + label, hw, plain))

    cases = [
        ("the recipe as meant", "plain", SSH),
        ("typo: PermitRootLogin prohibit_password", "plain",
         dict(SSH, permit_root_login="prohibit_password")),
        ("password off, nobody has a key", "no key", SSH),
        ("a drop-in sets PasswordAuthentication yes", "drop-in", SSH),
    ]
    print("\nWhat each catches (host h1; check mode, then the real run):")
    print("%-42s %-34s %s" % ("case", "hardenwiz role", "plain tasks"))
    for name, case, ssh in cases:
        row = []
        for way in ("hardenwiz", "plain"):
            got = []
            for check in (True, False):
                with tempfile.TemporaryDirectory(prefix="hwfleet.") as tmp:
                    got.append(Fleet(tmp, case, ssh).verdict(way, check))
            row.append(" / ".join(got))
        print("%-42s %-34s %s" % (name, row[0], row[1]))
    with tempfile.TemporaryDirectory(prefix="hwfleet.") as tmp:
        fleet = Fleet(tmp, "plain", SSH)
        fleet.play("hardenwiz")
        undo = "byte for byte" if fleet.rollback() else "NOT restored"
    print("%-42s %-34s %s" % ("undo the run (rollback.yml)", undo,
                              "no undo (backup=yes keeps copies)"))


if __name__ == "__main__":
    main()
