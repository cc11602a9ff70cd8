#!/usr/bin/env bash
echo "make demo: not yet (see the open issues)"
