#!/usr/bin/python3
# hardenwiz's Ansible module: apply a recipe (check mode: a dry run whose
# diff is Ansible's diff), confirm a pending change, or roll one back. It
# runs hardenwiz on the managed host and reads its --json document, so
# "changed", "failed" and the lockout guard's refusal (exit 4) are
# hardenwiz's own verdicts.
#
# Secrets: the recipe only names an environment variable (password_env).
# Its value comes in the "secrets" option (no_log: masked in every line
# Ansible prints) and reaches hardenwiz in its environment alone, which
# hardenwiz clears once read. Not through the task's "environment:"
# keyword: Ansible writes that into the remote command line, where ps and
# -vvv show it.

DOCUMENTATION = r"""
module: hardenwiz
short_description: Apply, confirm or roll back hardenwiz changes
options:
  recipe:
    description: Path of the recipe on the managed host (mode 0600).
    type: path
  root:
    description: Passed as --root (a sandbox); "/" is the host itself.
    type: path
    default: /
  confirm:
    description: Keep the pending change (hardenwiz --confirm).
    type: bool
    default: false
  rollback:
    description: Roll back this transaction id ("last" for the newest).
    type: str
  force:
    description: With rollback, roll back over later changes (--force).
    type: bool
    default: false
  binary:
    description: The hardenwiz program.
    type: str
    default: hardenwiz
  secrets:
    description: Environment variables for the hardenwiz run only (the
      relay password that password_env names). Never logged.
    type: dict
    default: {}
"""

import json

from ansible.module_utils.basic import AnsibleModule

GUARD_EXIT = 4


def run(module, args):
    cmd = [module.params["binary"], "--root", module.params["root"]] + args
    env = dict(module.params["secrets"])
    env["LC_ALL"] = "C.UTF-8"
    return module.run_command(cmd, environ_update=env)


def document(module, out, err, rc):
    try:
        return json.loads(out)
    except ValueError:
        module.fail_json(msg="hardenwiz gave no JSON document (exit %d): %s"
                         % (rc, (err or out).strip()), rc=rc)


def fail(module, doc, rc, err, **extra):
    msg = "; ".join(doc.get("errors") or []) or err.strip() or \
        "hardenwiz exited %d" % rc
    module.fail_json(msg=msg, rc=rc, lockout_guard=rc == GUARD_EXIT,
                     errors=doc.get("errors", []), **extra)


def would_change(doc):
    return any(s.get("files") or s.get("commands")
               for s in doc.get("steps", []))


def apply(module):
    recipe = module.params["recipe"]
    result = {"changed": False}
    if module._diff or module.check_mode:
        rc, out, err = run(module, ["--apply", recipe, "--dry-run", "--json"])
        doc = document(module, out, err, rc)
        if rc != 0:
            fail(module, doc, rc, err)
        result["steps"] = doc.get("steps", [])
        result["changed"] = would_change(doc)
        if module._diff and result["changed"]:
            rc, text, err = run(module, ["--apply", recipe, "--dry-run"])
            if rc != 0:
                module.fail_json(msg=err.strip(), rc=rc)
            result["diff"] = {"prepared": text}
        if module.check_mode:
            module.exit_json(**result)
    rc, out, err = run(module, ["--apply", recipe, "--json"])
    doc = document(module, out, err, rc)
    if rc != 0:
        fail(module, doc, rc, err)
    result["changed"] = bool(doc.get("changed"))
    result["transaction"] = doc.get("transaction")
    result["pending"] = bool(doc.get("pending"))
    module.exit_json(**result)


def confirm(module):
    if module.check_mode:
        module.exit_json(changed=False)
    rc, out, err = run(module, ["--confirm"])
    if rc != 0:
        module.fail_json(msg=(err or out).strip(), rc=rc)
    module.exit_json(changed="nothing" not in (out + err).lower(),
                     msg=(err or out).strip())


def rollback(module):
    args = ["--rollback"]
    if module.params["rollback"] != "last":
        args.append(module.params["rollback"])
    if module.params["force"]:
        args.append("--force")
    if module.check_mode:
        module.exit_json(changed=True)
    rc, out, err = run(module, args)
    if rc != 0:
        module.fail_json(msg=(err or out).strip(), rc=rc)
    module.exit_json(changed=True, msg=(err or out).strip())


def main():
    module = AnsibleModule(
        argument_spec=dict(
            recipe=dict(type="path"),
            root=dict(type="path", default="/"),
            confirm=dict(type="bool", default=False),
            rollback=dict(type="str"),
            force=dict(type="bool", default=False),
            binary=dict(type="str", default="hardenwiz"),
            secrets=dict(type="dict", default={}, no_log=True),
        ),
        mutually_exclusive=[("recipe", "confirm", "rollback")],
        required_one_of=[("recipe", "confirm", "rollback")],
        supports_check_mode=True,
    )
    if module.params["rollback"]:
        rollback(module)
    elif module.params["confirm"]:
        confirm(module)
    else:
        apply(module)


if __name__ == "__main__":
    main()
