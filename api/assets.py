"""Front-end packages installed by npm (node_modules), served locally under /vendor/<package>/."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

# Only these packages' distribution folders are exposed. A scoped package is served under its scope:
# /vendor/@bpmn-io/properties-panel.css is node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css.
PACKAGES = {"swagger-ui-dist": "", "bpmn-js": "dist", "bpmn-js-properties-panel": "dist",
            "@bpmn-io": "properties-panel/dist/assets"}

blp = Blueprint("assets", __name__)


@blp.route("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    if package not in PACKAGES:
        abort(404)
    root = Path(current_app.config["NODE_MODULES"]) / package / PACKAGES[package]
    if not root.is_dir():
        abort(404, description=f"front-end package '{package}' is not installed; run `make install`")
    return send_from_directory(root, filename, max_age=3600)
