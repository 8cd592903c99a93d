#!/bin/sh
# uninstall.sh MANIFEST: remove what "make install" installed, as listed in
# CMake's install manifest, under $DESTDIR when set (the manifest does not
# hold it: give the same DESTDIR as to make install), and the directories
# that are hardenwiz's own once empty. Shared directories (share/man/man8,
# share/locale/zh_CN/LC_MESSAGES) are left, even when empty. The journal
# (/var/lib/hardenwiz) is not installed, so it is never removed: it is
# what a later --rollback needs. (The manifest has no newline at its end.)
set -eu
manifest=${1:?usage: uninstall.sh build/install_manifest.txt}
if [ ! -f "$manifest" ]; then
	echo "uninstall: no $manifest: nothing was installed from this build" \
	    "directory (make install first, or INSTALL_BUILD=DIR)" >&2
	exit 1
fi
while IFS= read -r f || [ -n "$f" ]; do
	[ -n "$f" ] || continue
	f=${DESTDIR:-}$f
	if [ -e "$f" ] || [ -L "$f" ]; then
		rm -f -- "$f"
		echo "removed $f"
	fi
	case $f in
	*/doc/hardenwiz/examples/*)
		rmdir -- "${f%/*}" "${f%/examples/*}" 2>/dev/null || : ;;
	esac
done < "$manifest"
