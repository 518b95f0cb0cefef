# The two commands of the README: `make run` and `make test`. Both set everything up
# on a fresh Debian/Ubuntu machine first (scripts/bootstrap.sh is idempotent and fast
# when nothing changed).
PY := .venv/bin/python
export KIVY_NO_ARGS := 1

.PHONY: setup run test screenshots bench i18n build docs clean

setup:
	@bash scripts/bootstrap.sh

run: setup
	$(PY) -m kiosk run

test: setup
	$(PY) -m pytest

screenshots: setup
	$(PY) -m kiosk run --screenshot-dir screenshots

bench: setup
	$(PY) bench/startup.py
	$(PY) bench/card_read.py
	$(PY) bench/qr_decode.py
	$(PY) bench/ticket.py
	$(PY) bench/photo.py
	$(PY) bench/frozen.py

i18n: setup
	$(PY) -m kiosk.i18n --update

build: setup
	$(PY) -m PyInstaller --noconfirm kiosk.spec

# The README's configuration reference, generated from kiosk/config.py (a test checks it).
docs: setup
	$(PY) -m kiosk config --reference --update README.md

clean:
	rm -rf build dist screenshots .pytest_cache
