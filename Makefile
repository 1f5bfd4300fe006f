# camcensus: every set-up step lives here, so a fresh Debian machine with Python 3.11
# needs only `make demo` or `make test` (as root for the lab).
VENV     ?= .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
PYTEST   := $(VENV)/bin/pytest
# tcpdump: the import-pcap lab test; ffprobe, curl, openssl: clients of the lab
# conformance suite (tests/conformance/); chromium: the report tests render
# `camcensus report` in a headless browser (inside a network namespace of its own);
# lighttpd: a web server of the reverse check (tests/conformance/test_reverse_servers.py),
# run only inside a lab device namespace; gst-rtsp-server (GObject introspection, for
# Debian's own /usr/bin/python3: the venv cannot import gi) with the elements of its test
# stream: the RTSP server of the reverse check (tests/conformance/gst_rtsp_server.py)
SYSBINS  := nmap ip bridge snmpd snmpwalk tcpdump ffprobe curl openssl chromium lighttpd
SYSPKGS  := nmap iproute2 snmpd snmp tcpdump ffmpeg curl openssl chromium lighttpd \
            gir1.2-gst-rtsp-server-1.0 python3-gi python3-gst-1.0 \
            gstreamer1.0-plugins-base gstreamer1.0-plugins-good
# what gst-rtsp-server needs, checked the way the server script loads it
GSTCHECK := import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0"); \
            from gi.repository import Gst, GstRtspServer; Gst.init(None); \
            missing = [e for e in ("videotestsrc", "jpegenc", "rtpjpegpay") if Gst.ElementFactory.find(e) is None]; \
            raise SystemExit(1 if missing else 0)

.PHONY: install sysdeps test test-unit lab check lint types imports demo bench clean wheel-check

sysdeps:
	@missing=""; for b in $(SYSBINS); do command -v $$b >/dev/null 2>&1 || missing="$$missing $$b"; done; \
	/usr/bin/python3 -c '$(GSTCHECK)' >/dev/null 2>&1 || missing="$$missing gst-rtsp-server"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "need root to apt-get install $(SYSPKGS)" >&2; exit 2; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSPKGS) >/dev/null; \
	  if [ -d /run/systemd/system ]; then \
	    systemctl disable --now snmpd lighttpd >/dev/null 2>&1 || true; \
	  fi; \
	fi
	@# snmpd is only ever run by the routed lab, inside its router namespace (lab/snmp.py):
	@# the Debian package's own service, should it have started, is stopped above; so is
	@# lighttpd's (the reverse check runs its own, in a lab device namespace).

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: sysdeps $(STAMP)

# The README's test command. pytest's exit code 5 (no tests collected) is a failure.
test: install
	@$(PYTEST) -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

test-unit: install
	$(PYTEST) -q -m "not lab"

lab: install
	$(PYTEST) -q -m lab

check: install lint types imports

lint:
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

types:
	$(VENV)/bin/mypy

imports:
	$(VENV)/bin/lint-imports

# The wheel in a fresh venv outside the checkout (needs root for its lab scan).
wheel-check: install
	bash .ci/wheel-check

# The main job on the built-in lab: lab up (default mix), scan from the admin
# namespace, summary, inventory.db and a CSV, lab down.
demo: install
	$(VENV)/bin/camcensus demo

bench: install
	$(PY) bench/lab_scale.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
