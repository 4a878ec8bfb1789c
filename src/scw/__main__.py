"""``python -m scw``: same as the ``scw`` console script."""

from .cli import main

raise SystemExit(main())
