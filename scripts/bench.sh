#!/usr/bin/env bash
echo "make bench: not yet (see the open issues)"
