# Loaded by pytest before Django's settings: selects the test-only settings (fast hasher, own cache prefix
# and Celery queue). See config/settings.py.
import os

os.environ.setdefault("WIJKWERK_TESTING", "1")
