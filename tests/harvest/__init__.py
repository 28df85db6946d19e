# The logging sections of a test's own CKAN ini file: CKAN 2.11's commands read
# the logging set-up from the file they are given.
LOGGING_SECTIONS = """[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %(levelname)s [%(name)s] %(message)s
"""
