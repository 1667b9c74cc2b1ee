"""Draw resources/icon.png (512 px): a balance line dipping towards a red floor, on teal.

Run once when the design changes: it also writes resources/icon.ico (Windows) and
resources/icon.icns (macOS), which are committed so that builds need no conversion.
"""
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 512
OUT = Path(__file__).resolve().parent.parent / "resources" / "icon.png"


def main() -> None:
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((16, 16, SIZE - 16, SIZE - 16), radius=96, fill=(0, 114, 178, 255))
    d.rectangle((70, 360, SIZE - 70, 372), fill=(230, 159, 0, 255))  # the reserves floor
    band = [(70, 170), (150, 210), (230, 300), (310, 250), (390, 180), (442, 140),
            (442, 260), (390, 300), (310, 340), (230, 350), (150, 270), (70, 200)]
    d.polygon(band, fill=(86, 180, 233, 200))  # the spread of futures
    line = [(70, 185), (150, 240), (230, 325), (310, 295), (390, 240), (442, 200)]
    d.line(line, fill=(255, 255, 255, 255), width=22, joint="curve")
    img.save(OUT)
    img.save(OUT.with_suffix(".ico"), sizes=[(n, n) for n in (16, 24, 32, 48, 64, 128, 256)])
    img.save(OUT.with_suffix(".icns"))


if __name__ == "__main__":
    main()
