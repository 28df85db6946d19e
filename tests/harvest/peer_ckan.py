"""Calls actions of the harvesting CKAN (the one tests/harvest/test_outbound.py starts): run with its
ini file and a JSON list of [action, data] pairs on standard input; prints the results as JSON.

It runs in a process of its own, with the harvesting CKAN's configuration and plugins, as its
`ckan` commands do.
"""
import json
import sys

from ckan.cli import load_config
from ckan.config.middleware import make_app


def main() -> None:
    app = make_app(load_config(sys.argv[1]))
    import ckan.plugins.toolkit as tk

    results = []
    with app._wsgi_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        for action, data in json.load(sys.stdin):
            results.append(tk.get_action(action)({"user": site_user}, data))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
