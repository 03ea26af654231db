"""Shot Video Studio web app: `python app.py [--workspace DIR] [--db PATH] [--host H] [--port P]`.

Also the Hugging Face Spaces entry point. Environment: STUDIO_WORKSPACE, STUDIO_DB,
STUDIO_HOST, STUDIO_PORT, STUDIO_PASSWORD (optional login for private deployments).
"""

import sys

from studio.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
