#!/usr/bin/env bash
# Builds mimamori_<version>_amd64.deb with dpkg-deb into .build/deb/ (--test: .build/deb-test/package/)
# and prints its path last.
# The binaries carry the Swift runtime inside (--static-swift-stdlib): the build machine's Swift
# toolchain is no Debian package, so a town's server would not have libswiftCore.so. Depends is
# what ldd says the binaries load, mapped to Debian packages by dpkg -S.
# Usage: scripts/deb.sh          the package to ship (-c release)
#        scripts/deb.sh --test   the package make test installs: the same files, the same release
#                                build, static runtime and link, in .build/deb-test (its own
#                                folder keeps make test's debug build as it is; a release build
#                                is what towns install, and the optimiser has crashed where a
#                                debug build did not), packed with gzip (the compression is not
#                                what the test is about, and xz takes minutes)
#        MIMAMORI_DEB_SKIP_BUILD=1: package the build as it is
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
swift=${SWIFT:-swift}
case "${1:-}" in
"") flags=(-c release --static-swift-stdlib --disable-local-rpath) out=.build/deb compress=(-Zxz) ;;
--test) flags=(-c release --static-swift-stdlib --disable-local-rpath --scratch-path .build/deb-test) out=.build/deb-test/package compress=(-Zgzip -z1) ;;
*) echo "usage: scripts/deb.sh [--test]" >&2 && exit 64 ;;
esac

if [ -z "${MIMAMORI_DEB_SKIP_BUILD:-}" ]; then
    for product in mimamorid mimamori; do
        "$swift" build "${flags[@]}" --product "$product" >&2
    done
fi
bin=$("$swift" build "${flags[@]}" --show-bin-path)
version=$("$bin/mimamorid" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
name=mimamori_${version}_${arch}
root=$out/$name
rm -rf "$root" && mkdir -p "$root/DEBIAN"
# File dates and the changelog's date come from the last commit, so a rebuild is the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

dir() { install -d -m 0755 "$root/$1"; }
dir usr/bin && install -m 0755 "$bin/mimamorid" "$bin/mimamori" "$root/usr/bin/"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/mimamorid" "$root/usr/bin/mimamori"
dir usr/lib/mimamori && install -m 0755 deploy/open-jtalk-tts "$root/usr/lib/mimamori/"

# The unit and the samples name the source install's /usr/local paths; the package's are /usr.
dir lib/systemd/system
sed -e 's|/usr/local/bin/|/usr/bin/|' -e 's|Install with deploy/install.sh|Installed by the mimamori package|' \
    systemd/mimamorid.service >"$root/lib/systemd/system/mimamorid.service"
dir usr/lib/sysusers.d && install -m 0644 deploy/debian/sysusers.conf "$root/usr/lib/sysusers.d/mimamori.conf"
dir usr/lib/tmpfiles.d && install -m 0644 deploy/debian/tmpfiles.conf "$root/usr/lib/tmpfiles.d/mimamori.conf"
dir etc/mimamori
sed -e 's|/usr/local/lib/mimamori/|/usr/lib/mimamori/|' -e 's|deploy/install.sh installs|the package installs|' \
    config/mimamori.yaml >"$root/etc/mimamori/mimamori.yaml"
install -m 0644 config/cooperators.csv "$root/etc/mimamori/"
chmod 0644 "$root/etc/mimamori/mimamori.yaml"
printf '%s\n' /etc/mimamori/mimamori.yaml /etc/mimamori/cooperators.csv >"$root/DEBIAN/conffiles"

# Manual pages: mimamori(1) and its subcommands from the command definitions (swift-argument-
# parser's generate-manual, fed by the binary's own --experimental-dump-help), mimamorid(8) written.
dir usr/share/man/man1 && dir usr/share/man/man8
man=$out/man && rm -rf "$man" && mkdir -p "$man"
tool=$(scripts/generate-manual-tool.sh)
# generate-manual drops every character that is not ASCII (its roff escaping skips them), which
# took 見守り out of the NAME line: it reads the help with those characters spelled as ASCII
# markers, and the pages get them back as UTF-8 (man-db and lintian read pages as UTF-8).
ascii_help=$out/mimamori-ascii-help
cat >"$ascii_help" <<SCRIPT
#!/bin/sh
"$bin/mimamori" "\$@" | perl -CSD -pe 's/([^\x00-\x7f])/sprintf("\@U+%X\@", ord(\$1))/ge'
SCRIPT
chmod 0755 "$ascii_help"
"$tool" "$ascii_help" --output-directory "$man" --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" \
    --section 1 --authors 'the Mimamori authors'
# .Nd takes the rest of its line: without the quotes the generator puts round it, whatis (lexgrog)
# shows the description as man does.
perl -CSD -i -pe 's/\@U\+([0-9A-F]+)\@/chr(hex($1))/ge; s/^\.Nd "(.*)"$/.Nd $1/' "$man"/*.1
! grep -l '@U+[0-9A-F]*@' "$man"/*.1 || { echo "deb: a marker was left in the pages above" >&2; exit 1; }
for page in "$man"/*.1; do gzip -9n <"$page" >"$root/usr/share/man/man1/$(basename "$page").gz"; done
gzip -9n <deploy/debian/mimamorid.8 >"$root/usr/share/man/man8/mimamorid.8.gz"

# Shell completions, from the same definitions.
dir usr/share/bash-completion/completions && dir usr/share/zsh/vendor-completions && dir usr/share/fish/vendor_completions.d
# A completion file is sourced, not run: no #! line (lintian).
"$bin/mimamori" --generate-completion-script bash | sed '1{/^#!/d}' >"$root/usr/share/bash-completion/completions/mimamori"
"$bin/mimamori" --generate-completion-script zsh >"$root/usr/share/zsh/vendor-completions/_mimamori"
"$bin/mimamori" --generate-completion-script fish >"$root/usr/share/fish/vendor_completions.d/mimamori.fish"

# Docs, the broker's definitions and the operators' rules.
doc=usr/share/doc/mimamori
dir $doc && dir $doc/rabbitmq && dir $doc/prometheus && dir $doc/grafana && dir $doc/schema
install -m 0644 README.md docs/operations.md docs/integration.md docs/architecture.md deploy/debian/README.Debian "$root/$doc/"
install -m 0644 deploy/rabbitmq/definitions.json deploy/rabbitmq/rabbitmq.conf "$root/$doc/rabbitmq/"
install -m 0755 deploy/rabbitmq/dead-letter-policy.sh deploy/rabbitmq/migrate-dead-letters.sh deploy/rabbitmq/partner-shovel.sh \
    deploy/broker-users.sh "$root/$doc/rabbitmq/"
install -m 0644 deploy/prometheus/mimamori.rules.yml "$root/$doc/prometheus/"
install -m 0644 deploy/grafana/mimamori.json "$root/$doc/grafana/"
install -m 0644 docs/schema/* "$root/$doc/schema/"
{
    echo "Mimamori (見守り), the missing-person notice daemon."
    echo "Copyright: the Mimamori authors."
    echo
    cat NOTICE
} >"$root/$doc/copyright"
chmod 0644 "$root/$doc/copyright"
{
    echo "mimamori ($version) unstable; urgency=medium"
    echo
    echo "  * Built from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo
    echo " -- Mimamori maintainers <mimamori@town.example.jp>  $(date -R -u -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$root/$doc/changelog.gz"

# Depends: every library the binaries load, by the Debian package that holds it.
package_of() {
    local path=$1 real alt
    real=$(readlink -f "$path")
    for candidate in "$path" "$real" "${path/#\/usr\/lib/\/lib}" "${real/#\/usr\/lib/\/lib}" "${path/#\/lib/\/usr\/lib}" "${real/#\/lib/\/usr\/lib}"; do
        alt=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$alt" ] && { echo "$alt"; return; }
    done
    echo "deb: no Debian package holds $path (ldd of the binaries)" >&2
    return 1
}
libraries=$(ldd "$root/usr/bin/mimamorid" "$root/usr/bin/mimamori" | awk '/=> \// {print $3}' | sort -u)
packages=$(for lib in $libraries; do package_of "$lib"; done | sort -u)
depends=$(for p in $packages; do
    printf '%s (>= %s)\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" | sed 's/-[^-]*$//')"
done | paste -sd, - | sed 's/,/, /g')
depends="$depends, systemd"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: mimamori
Version: $version
Architecture: $arch
Maintainer: Mimamori maintainers <mimamori@town.example.jp>
Installed-Size: $size
Depends: $depends
Recommends: open-jtalk, open-jtalk-mecab-naist-jdic, sox
Suggests: rabbitmq-server, prometheus
Section: admin
Priority: optional
Homepage: https://town.example.jp/mimamori
Description: missing-person notice daemon for Japanese municipalities (見守り)
 mimamorid takes the police side's signed case events from RabbitMQ and sends
 the notices to the town's cooperators by FAX, email and the community radio,
 with follow-ups, the termination notice and the reminder to destroy the
 personal data. mimamori is the staff's and operators' tool beside it.
CONTROL
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
dir usr/share/lintian/overrides && install -m 0644 deploy/debian/lintian-overrides "$root/usr/share/lintian/overrides/mimamori"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

dpkg-deb --root-owner-group "${compress[@]}" --build "$root" "$out/$name.deb" >/dev/null
echo "deb: $(du -h "$out/$name.deb" | cut -f1) Depends: $depends" >&2
# Debian's own checks: an error fails the build, warnings are printed.
lintian --fail-on error --info "$out/$name.deb" >&2
echo "$out/$name.deb"
