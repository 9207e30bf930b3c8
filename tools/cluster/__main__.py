"""`python -m tools.cluster` (`make run-cluster`)."""

import sys

from tools.cluster.cluster import main

sys.exit(main())
