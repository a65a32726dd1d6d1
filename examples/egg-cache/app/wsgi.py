"""test_server: the incident's WSGI app, reduced to what matters.

The app imports its DB driver at import time, as any Django/Flask app does
when its models load. The driver (eggdb, standing in for MySQLdb) was
installed easy_install-style as a zipped egg into a site directory that the
deploy adds with site.addsitedir(), the way mod_wsgi/gunicorn deploys of
that era did; ``site-packages/easy-install.pth`` names the .egg file.

Under ``user=cissoid`` with supervisord's HOME=/root, ``import eggdb`` raises
pkg_resources.ExtractionError ([Errno 13] Permission denied: '/root/.cache'),
the gunicorn worker exits 3 and the master logs "Worker failed to boot.".
"""
import os
import site

HERE = os.path.dirname(os.path.abspath(__file__))
site.addsitedir(os.path.join(HERE, "site-packages"))  # reads easy-install.pth

import eggdb  # noqa: E402  -- extracts _eggdb.*.so into the egg cache


def application(environ, start_response):
    body = ("test_server up; %s\n" % eggdb.connect()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
