"""Writes the HEIF test files beside this script (committed; run again only to change them).

The project decodes HEIF with ``pi-heif`` (decode-only); encoding needs ``pillow-heif``, which is not
a dependency: ``pip install --target /tmp/phf pillow-heif`` then
``PYTHONPATH=/tmp/phf python tests/imaging/data/make_heif.py``.

Each picture is 256 x 192 px, mid-grey, with a white square in its top-left corner, so a test can
tell which way up the decoded pixels are.
"""

from pathlib import Path

import numpy as np
import pillow_heif  # type: ignore[import-not-found]
from PIL import Image

HERE = Path(__file__).resolve().parent


def picture() -> Image.Image:
    img = np.full((192, 256, 3), 128, np.uint8)
    img[16:64, 16:64] = 255
    return Image.fromarray(img)


def main() -> None:
    im = picture()
    exif = Image.Exif()
    exif[271], exif[272] = "Apple", "iPhone 15"
    im.save(HERE / "photo.heic", format="HEIF", quality=90, exif=exif.tobytes())
    exif[274] = 6  # shown turned 90 degrees clockwise, as a phone held upright writes it
    im.save(HERE / "photo_orientation6.heic", format="HEIF", quality=90, exif=exif.tobytes())
    deep = (np.asarray(im).astype(np.uint16) * 257).tobytes()
    pillow_heif.from_bytes(mode="RGB;16", size=im.size, data=deep).save(HERE / "photo_10bit.heic", quality=90)
    two = pillow_heif.HeifFile()
    two.add_from_pillow(im)
    two.add_from_pillow(im.rotate(90, expand=True))
    two.save(HERE / "photo_two_images.heic", quality=90)
    # 36 megapixels of one grey in under 10 KB: a decompression bomb for a decoder without a floor
    Image.new("RGB", (6000, 6000), (128, 128, 128)).save(HERE / "flat_36mp.heic", format="HEIF", quality=50)


if __name__ == "__main__":
    pillow_heif.register_heif_opener()
    main()
