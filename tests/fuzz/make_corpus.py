#!/usr/bin/python3
"""Writes the fuzz seed corpora (tests/fuzz/corpus/<target>/): small valid files of every parsed format.

Run with Debian's /usr/bin/python3 (it has torch, numpy and scipy): ./make_corpus.py. Deterministic, so
re-running it leaves the committed corpus unchanged (gzip/zip time stamps are fixed).
"""
import gzip
import io
import os
import tarfile
import zipfile

import numpy as np
import scipy.io
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def torch_checkpoint(state):
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def data_pkl(checkpoint):
    with zipfile.ZipFile(io.BytesIO(checkpoint)) as z:
        return z.read(next(n for n in z.namelist() if n.endswith("/data.pkl")))


def checkpoints():
    torch.manual_seed(0)
    linear = torch_checkpoint(torch.nn.Linear(3, 2).state_dict())
    # Views sharing one storage, a non-zero storage offset, int64 and half dtypes, a 0-d tensor.
    base = torch.arange(12, dtype=torch.float32)
    shared = torch_checkpoint({"full": base, "view": base[2:8].view(2, 3), "t": base.view(3, 4).t(),
                               "steps": torch.tensor(7), "h": torch.ones(2, dtype=torch.float16)})
    # Storages of exactly 16, 64 and 0 bytes: the records fuzz_checkpoint_file wraps around a pickle.
    matching = torch_checkpoint({"w": torch.zeros(4), "b": torch.zeros(8, dtype=torch.int64),
                                 "e": torch.zeros(0)})
    for name, ckpt in [("linear", linear), ("shared_views", shared), ("wrapped_sizes", matching)]:
        write("fuzz_checkpoint_pickle", name + ".pkl", data_pkl(ckpt))
        write("fuzz_checkpoint_file", name + "_file", b"\x00" + ckpt)
    write("fuzz_checkpoint_file", "wrapped_sizes_pickle", b"\x01" + data_pkl(matching))
    write("fuzz_checkpoint_file", "linear_pickle", b"\x01" + data_pkl(linear))


def csvs():
    write("fuzz_csv", "plain.csv", "a,b,c\n1,2.5,-3\n4,nan,+6\n")
    write("fuzz_csv", "quoted.csv", '\ufeffx,"y, with comma","z ""quoted"""\r\n"1,2,3","multi\nline",7\r\n')
    xs = ",".join(str(10 + i) for i in range(10))
    ys = ",".join(str(20 + i) for i in range(10))
    header = "imageA,imageB," + ",".join(f"{c}{i}" for c in ("XA", "YA", "XB", "YB") for i in range(1, 11)) + "\n"
    write("fuzz_pf_willow_csv", "test_pairs.csv",
          header + f"PF-dataset/car(G)/a.png,PF-dataset/car(G)/b.png,{xs},{ys},{ys},{xs}\n"
          f"PF-dataset/duck(S)/c.png,PF-dataset/duck(S)/d.png,{xs},{ys},{xs},{ys}\n")
    write("fuzz_pf_willow_csv", "no_header.csv",
          f"PF-dataset/car(M)/a.png,PF-dataset/car(M)/b.png,{xs},{ys},{ys},{xs}\n")
    write("fuzz_caltech_csv", "test_pairs.csv",
          "source_image,target_image,class,XA,YA,XB,YB\n"
          '101_ObjectCategories/Faces/a.jpg,101_ObjectCategories/Faces/b.jpg,1,'
          '"1,20.5,30","2,4,40","5,6,7,8","9,10,11,12"\n'
          '101_ObjectCategories/ant/c.jpg,101_ObjectCategories/ant/d.jpg,8,"1,2,3","4,5,6","7,8,9","1,2,3"\n')
    write("fuzz_pf_pascal_csv", "test_pairs.csv",
          "source_image,target_image,class\n"
          "JPEGImages/a.jpg,JPEGImages/b.jpg,1\nJPEGImages/b.jpg,JPEGImages/a.jpg,1\n")
    write("fuzz_pf_pascal_csv", "trn_flip.csv",
          "source_image,target_image,class,flip\n"
          "PF-dataset-PASCAL/JPEGImages/a.jpg,PF-dataset-PASCAL/JPEGImages/b.jpg,1,1\n"
          "e.jpg,e.jpg,2,0\n")
    write("fuzz_pf_pascal_csv", "mismatch.csv", "a.jpg,c.jpg,1\na.jpg,d.jpg,1\n")


def fixed_header(mat):
    """scipy stamps the creation time into the 116-byte header text; a fixed text keeps the corpus stable."""
    text = b"MATLAB 5.0 MAT-file, Platform: posix, Created by: tests/fuzz/make_corpus.py"
    return text.ljust(116, b" ") + mat[116:]


def mats():
    kps = np.array([[10.0, 20.0], [np.nan, np.nan], [30.0, 40.0]])
    bbox = np.array([[1.0, 2.0, 50.0, 60.0]])
    for name, kw in [("v5.mat", {}), ("v5_compressed.mat", {"do_compression": True})]:
        buffer = io.BytesIO()
        scipy.io.savemat(buffer, {"kps": kps[:2], "bbox": bbox}, **kw)
        write("fuzz_pf_pascal_mat", name, fixed_header(buffer.getvalue()))
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"kps": np.array([[1, 2], [3, 4]], dtype=np.int16),
                              "bbox": np.array([[0, 0, 9, 9]], dtype=np.float32), "extra": "text"})
    write("fuzz_pf_pascal_mat", "int16_single.mat", fixed_header(buffer.getvalue()))


def spair():
    write("fuzz_spair_json", "pair.json",
          '{"pair_id": 1, "src_imname": "2008_000585.jpg", "trg_imname": "2008_000008.jpg", '
          '"src_imsize": [500, 375, 3], "trg_imsize": [500, 333, 3], "src_bndbox": [1, 2, 51, 102], '
          '"trg_bndbox": [10, 20, 110, 70], "category": "aeroplane", "src_pose": "Frontal", '
          '"trg_pose": "Left", "src_kps": [[10, 20], [30.5, 40]], "trg_kps": [[11, 21], [31, 41]], '
          '"kps_ids": ["0", 4], "viewpoint_variation": 1, "scale_variation": 0, "truncation": 2, '
          '"occlusion": 3, "mirror": 1}')


MEMBERS = [("test_pairs.csv", b"a,b\n1,2\n"), ("a.txt", b"alpha\n"), ("sub/b.json", b'{"b": 1}'),
           ("img/c.png", b"\x89PNG\r\n\x1a\n" + bytes(range(32)))]


def zip_bytes(prefix, method):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as z:
        for name, content in MEMBERS:
            z.writestr(zipfile.ZipInfo(prefix + name, date_time=(2020, 1, 1, 0, 0, 0)), content,
                       compress_type=method)
    return buffer.getvalue()


def tar_bytes(prefix, dot_entry=False):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as t:
        if dot_entry:
            info = tarfile.TarInfo("./")
            info.type = tarfile.DIRTYPE
            t.addfile(info)
        for name, content in MEMBERS:
            info = tarfile.TarInfo(prefix + name)
            info.size = len(content)
            info.mtime = 1577836800
            t.addfile(info, io.BytesIO(content))
        link = tarfile.TarInfo(prefix + "link.txt")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../etc/passwd"
        t.addfile(link)
    return buffer.getvalue()


def archives():
    write("fuzz_zip_source", "stored.zip", zip_bytes("", zipfile.ZIP_STORED))
    write("fuzz_zip_source", "deflated_in_folder.zip", zip_bytes("PF-WILLOW/", zipfile.ZIP_DEFLATED))
    write("fuzz_tar_source", "plain.tar", tar_bytes("", dot_entry=True))
    write("fuzz_tar_source", "in_folder.tar.gz", gzip.compress(tar_bytes("./PF-WILLOW/"), mtime=0))


if __name__ == "__main__":
    checkpoints()
    csvs()
    mats()
    spair()
    archives()
