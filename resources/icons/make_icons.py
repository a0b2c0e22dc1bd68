"""Draw the application icon: 就 in white on a blue rounded square.

Run from the project root: ``.venv/bin/python resources/icons/make_icons.py``.
Writes ``app.png`` (256 px, the window icon) and ``app.ico`` (16–256 px, the
Windows executable icon) beside this file, using the shipped font.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "wqy-microhei.ttc"
BLUE = (28, 100, 196, 255)
WHITE = (255, 255, 255, 255)
ICO_SIZES = [16, 20, 24, 32, 40, 48, 64, 96, 128, 256]


def draw(size: int) -> Image.Image:
    """The icon drawn at ``size`` px, supersampled 4× for smooth edges."""
    big = size * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    # Small icons get a thinner margin and a larger character, so 就 stays legible.
    margin = round(big * (0.03 if size <= 32 else 0.06))
    canvas.rounded_rectangle(
        (margin, margin, big - margin - 1, big - margin - 1),
        radius=round(big * 0.2),
        fill=BLUE,
    )
    font = ImageFont.truetype(str(FONT), round(big * (0.78 if size <= 32 else 0.66)))
    left, top, right, bottom = canvas.textbbox((0, 0), "就", font=font)
    x = (big - (right - left)) / 2 - left
    y = (big - (bottom - top)) / 2 - top
    canvas.text((x, y), "就", font=font, fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    draw(256).save(HERE / "app.png", optimize=True)
    frames = [draw(s) for s in ICO_SIZES]
    frames[-1].save(HERE / "app.ico", sizes=[(s, s) for s in ICO_SIZES], append_images=frames[:-1])


if __name__ == "__main__":
    main()
