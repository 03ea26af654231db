"""`python -m studio.bench ...`."""

import sys

from studio.bench import main

sys.exit(main())
