#!/usr/bin/env python3
"""Writes a single-layer container image as an OCI image layout in a tar file.

    oci-archive.py --name k8s.gcr.io/pause:3.2 --rootfs DIR --out pause.oci.tar \
        [--entrypoint /pause] [--cmd sh] [--env PATH=/bin] [--user 65535:65535]

The layer is the content of DIR (regular files, directories, symlinks), uncompressed. Every tar
(the layer and the archive) is written byte-for-byte the same from the same input: entries sorted,
owner root, mtime 0, no user or group names. The archive's index.json names the image twice, the
way `ctr images export` does: io.containerd.image.name (the full reference containerd imports it
as) and org.opencontainers.image.ref.name (its tag). Used by scripts/lab.d/artifacts.sh.
"""
import argparse
import hashlib
import io
import json
import os
import stat
import sys
import tarfile

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"
INDEX = "application/vnd.oci.image.index.v1+json"


def tar_info(name, kind, size=0, mode=0o644, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.mode, info.linkname = kind, size, mode, link
    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
    return info


def layer_tar(rootfs):
    """The rootfs as an uncompressed tar, entries sorted by path."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        paths = []
        for top, dirs, files in os.walk(rootfs):
            for entry in dirs + files:
                paths.append(os.path.relpath(os.path.join(top, entry), rootfs))
        for path in sorted(paths):
            full = os.path.join(rootfs, path)
            st = os.lstat(full)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                tar.addfile(tar_info(path, tarfile.SYMTYPE, mode=0o777, link=os.readlink(full)))
            elif stat.S_ISDIR(st.st_mode):
                tar.addfile(tar_info(path, tarfile.DIRTYPE, mode=mode))
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    tar.addfile(tar_info(path, tarfile.REGTYPE, size=st.st_size, mode=mode), f)
            else:
                sys.exit(f"oci-archive: {full} is neither a file, a directory nor a symlink")
    return buffer.getvalue()


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def descriptor(media_type, blob):
    return {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(blob).hexdigest(), "size": len(blob)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="full image reference, e.g. k8s.gcr.io/pause:3.2")
    parser.add_argument("--rootfs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--entrypoint", action="append", default=[])
    parser.add_argument("--cmd", action="append", default=[])
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--user", default="")
    args = parser.parse_args()
    tag = args.name.rsplit(":", 1)[1] if ":" in args.name.rsplit("/", 1)[-1] else sys.exit("oci-archive: --name needs a tag")

    layer = layer_tar(args.rootfs)
    image_config = {"Env": args.env}
    if args.entrypoint:
        image_config["Entrypoint"] = args.entrypoint
    if args.cmd:
        image_config["Cmd"] = args.cmd
    if args.user:
        image_config["User"] = args.user
    config = canonical({
        "architecture": "amd64",
        "os": "linux",
        "config": image_config,
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    })
    manifest = canonical({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": descriptor(CONFIG, config),
        "layers": [descriptor(LAYER, layer)],
    })
    entry = descriptor(MANIFEST, manifest)
    entry["annotations"] = {"io.containerd.image.name": args.name, "org.opencontainers.image.ref.name": tag}
    entry["platform"] = {"architecture": "amd64", "os": "linux"}
    index = canonical({"schemaVersion": 2, "mediaType": INDEX, "manifests": [entry]})

    files = {"oci-layout": canonical({"imageLayoutVersion": "1.0.0"}), "index.json": index}
    for blob in (layer, config, manifest):
        files["blobs/sha256/" + hashlib.sha256(blob).hexdigest()] = blob
    temporary = args.out + ".tmp"
    with tarfile.open(temporary, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for directory in ("blobs", "blobs/sha256"):
            tar.addfile(tar_info(directory, tarfile.DIRTYPE, mode=0o755))
        for name in sorted(files):
            tar.addfile(tar_info(name, tarfile.REGTYPE, size=len(files[name])), io.BytesIO(files[name]))
    os.replace(temporary, args.out)
    print(f"{args.out}: {args.name} {entry['digest']}")


if __name__ == "__main__":
    main()
