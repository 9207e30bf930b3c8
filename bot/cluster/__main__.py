"""`python -m bot.cluster` (`make run-cluster`)."""

import sys

from bot.cluster.cluster import main

sys.exit(main())
