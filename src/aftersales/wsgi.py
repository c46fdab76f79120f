import os

import jieba
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings.base")
application = get_wsgi_application()

# Load the segmentation dictionary now, not on a customer's first request (~1 s per process).
jieba.initialize()
