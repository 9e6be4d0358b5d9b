"""JupyterHub for a course on one machine: each student lands on their own softmax explorer.

Every user's server is JupyterHub's single-user Jupyter server, in which jupyter-server-proxy
runs `softmax-explorer` (the package's ``jupyter_serverproxy_servers`` entry point,
softmax_explorer/jupyter_proxy.py) and ``default_url`` opens it: students land on the
dashboard at ``/user/NAME/softmax/app/``, served with the app's own page template, kernel, fixes
and cap on kernels. The hub's login covers it (the Jupyter server checks the hub's OAuth before
proxying) and the Jupyter server reports activity for the culler. That was chosen over Voila's
server extension with ``default_url`` on the notebook, which would serve it with the stock
template and kernel manager (no cap, no fixes), and over ``jhsingle-native-proxy``, which
refuses every websocket under Tornado 6.6 (it calls ``check_origin`` itself, which Tornado no
longer meant for same-origin requests). Students who know Jupyter can still open JupyterLab at
``/user/NAME/lab``, with the dashboard in its launcher.

Sizing (docs/deployment.md): a user's Jupyter server and the app's server are ~250 MB together
and each dashboard's kernel ~200-250 MB, so a 1 GB limit holds three dashboards
(``softmax-explorer`` reads the limit from ``MEM_LIMIT`` or its cgroup and caps its kernels at
what fits); one core at most per user and a tenth of one guaranteed, since about 15 students
moving sliders share a core.

Run with ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` as root, after
``pip install 'softmax-explorer[hub]' jupyterhub-systemdspawner`` and
``npm install -g configurable-http-proxy``. The knobs below are environment variables so that
one file serves a course and the test suite (tests/e2e/test_jupyterhub.py).
"""

import os
import sys

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

#: Seconds without activity after which a user's server is stopped (kernels and all).
IDLE_TIMEOUT = int(os.environ.get("SOFTMAX_HUB_IDLE_TIMEOUT", "3600"))
#: How often the culler looks, in seconds.
CULL_EVERY = int(os.environ.get("SOFTMAX_HUB_CULL_EVERY", "300"))
PYTHON = sys.executable  # the environment the hub runs in holds the app too

# Who may log in: replace with your institution's authenticator (oauthenticator, LDAP, ...).
c.JupyterHub.authenticator_class = os.environ.get("SOFTMAX_HUB_AUTHENTICATOR", "pam")

# One process tree per user under systemd, which enforces the limits below; the hub's own
# `simple` spawner (tests) runs them as the hub's user and enforces nothing.
c.JupyterHub.spawner_class = os.environ.get("SOFTMAX_HUB_SPAWNER", "systemd")
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0
c.Spawner.cpu_guarantee = 0.1
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
c.Spawner.cmd = [PYTHON, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/softmax/app/"  # softmax_explorer.jupyter_proxy.PATH

# Stop servers idle for IDLE_TIMEOUT: no traffic through the proxies, no kernel busy.
c.JupyterHub.last_activity_interval = min(300, CULL_EVERY)
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            PYTHON, "-m", "jupyterhub_idle_culler",
            f"--timeout={IDLE_TIMEOUT}", f"--cull-every={CULL_EVERY}",
        ],
    }
]  # fmt: skip
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
