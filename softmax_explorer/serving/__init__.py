"""The dashboard served to a class: the command, the Voila server, its zygote and its kernels.

Three kinds of process run this code, and each module belongs to one:

================  ==================================  =========================================
module            runs in                             holds
================  ==================================  =========================================
`cli`             the server (``softmax-explorer``)    the command line, Voila's arguments
`voila_app`       the server                          the Voila application and its handlers
`voila_fixes`     the server                          guarded fixes and private uses of Voila
                                                      and jupyter_client
`classroom`       the server                          the kernel manager: cap, refills, zygote
`provisioner`     the server                          the server's end of the zygote; forked
                                                      kernels as jupyter_client sees them
`jupyter_proxy`   a Jupyter server (JupyterHub's)     jupyter-server-proxy's entry: starts the
                                                      command above
`zygote`          the zygote (one per server)         imports the app once, forks kernels
`kernel`          each page's kernel                  ipykernel with the app imported early
`kernel_page`     each page's kernel                  the page's `Explorer`, from its URL
================  ==================================  =========================================

Package data: ``app.ipynb`` (the served notebook: a few lines that call
`kernel_page.served_explorer`) and ``share/`` (the kernelspec naming `kernel` and the
provisioner, and the page template), put on ``JUPYTER_PATH`` by `cli`.
"""
