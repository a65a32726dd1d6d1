"""test_server_silent: the same app, as the incident actually looked.

Why did gunicorn log nothing in the incident ("异常没有在 gunicorn 中记录")?
Because the app configured logging before its models (and so MySQLdb) were
imported -- Django's django.setup() runs dictConfig(LOGGING) and only then
populates the apps -- and dictConfig() disables every logger that already
exists unless ``disable_existing_loggers`` is False. In the gunicorn worker
that includes ``gunicorn.error``, so gunicorn < 24.1 logs "Exception in
worker process" to a disabled logger and exits 3 without a word. The master
(which never ran this module) still logs "Worker failed to boot.".

Nothing here mentions the egg cache: only a syscall trace (mkdir
"/root/.cache" = -1 EACCES) can explain the exit.
"""
import logging.config
import os
import site

LOGGING = {  # a typical settings.LOGGING; disable_existing_loggers defaults to True
    "version": 1,
    "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"app": {"handlers": ["console"], "level": "INFO"}},
}
logging.config.dictConfig(LOGGING)

HERE = os.path.dirname(os.path.abspath(__file__))
site.addsitedir(os.path.join(HERE, "site-packages"))  # reads easy-install.pth

import eggdb  # noqa: E402  -- raises ExtractionError; nobody hears it

log = logging.getLogger("app")


def application(environ, start_response):
    body = ("test_server_silent up; %s\n" % eggdb.connect()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
