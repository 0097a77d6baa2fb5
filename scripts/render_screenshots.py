#!/usr/bin/env python3
"""Render phone-SMS-style screenshots of scam texts for the OCR tests and benchmark.

For each message it writes, into OUT_DIR:
  NAME.png  the screenshot at phone resolution (1080x2340 or 720x1560),
  NAME.jpg  the same after Telegram's photo compression (longest side 1280, JPEG q87),
  NAME.txt  the exact text drawn on the screenshot, in reading order.
With --bad-inputs it also writes the hand-made bad inputs the OCR tests use.

Setup on Debian 12 (fonts from apt, Pillow from PyPI into a throwaway venv):
  scripts/setup-debian.sh --fixtures     # fonts-noto-cjk fonts-dejavu-core python3-venv
  python3 -m venv /tmp/ocr-venv && /tmp/ocr-venv/bin/pip install Pillow

Everything, phone-resolution PNGs included, for a look or a benchmark:
  /tmp/ocr-venv/bin/python scripts/render_screenshots.py --out /tmp/shots --bad-inputs
The committed fixtures (Telegram-compressed JPEGs only, about 0.6 MB):
  /tmp/ocr-venv/bin/python scripts/render_screenshots.py --out tests/fixtures/ocr --jpeg-only --bad-inputs
"""

import argparse
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

# name, language (picks the CJK face), theme, width, sender, received, message
MESSAGES = [
    ("zh_light", "zh", "light", 1080, "106 9027 5566", "今天 10:23",
     "【亚马逊】您的店铺账户将在24小时内被冻结，请登录 amazon-seller-verify.top 验证身份，逾期将永久关闭。"),
    ("zh_dark", "zh", "dark", 1080, "106 5510 8899", "今天 09:12",
     "【速卖通】检测到您的店铺存在违规交易，保证金3000元已被冻结。请联系客服专员微信 aliexp-kefu88 办理解冻。"),
    ("zh_refund_light", "zh", "light", 720, "95188", "昨天 21:40",
     "【Shopee】买家申请退款，订单号 2407189935 退款失败。请添加客服QQ 3381204476 并按提示操作退款，否则影响店铺评分。"),
    ("zh_parcel_dark", "zh", "dark", 720, "106 9000 1234", "星期二 14:05",
     "【顺丰速运】您的国际包裹因地址不详无法派送，请在48小时内点击 sf-express-cn.vip/r/8821 补充信息并支付2.99元。"),
    ("zh_hant_light", "zh-Hant", "light", 1080, "+852 6123 4567", "今天 11:58",
     "【蝦皮購物】您的賣家帳戶存在異常登入，請立即前往 shopee-tw-secure.com 重新驗證，否則帳戶將於今日停權。"),
    ("zh_hant_dark", "zh-Hant", "dark", 1080, "+886 912 345 678", "今天 08:31",
     "【PChome】您的貨款新台幣12,800元撥款失敗，請於24小時內加入LINE客服 @pchome-pay 更新銀行帳戶資料。"),
    ("en_light", "en", "light", 1080, "+1 (415) 555-0134", "Today 10:23",
     "Amazon Seller Central: Your account has been suspended due to unusual activity. "
     "Verify your identity within 24 hours at amazon-seller-verify.top or call 1-888-555-0192."),
    ("en_dark", "en", "dark", 1080, "+44 7700 900123", "Today 16:47",
     "eBay: A buyer opened a payment dispute of $1,249.00. Your funds are on hold. "
     "Confirm your PayPal details at ebay-resolution-center.co/claim?id=88213 today."),
    ("en_wallet_light", "en", "light", 720, "+1 (202) 555-0178", "Yesterday 19:02",
     "Shopify Payments: Payout of $3,870.55 failed. Update your bank details now at "
     "shopify-payout-help.net or your store will be closed on 05/12."),
    ("en_parcel_dark", "en", "dark", 720, "DHL-Express", "Tue 13:15",
     "DHL: Your package 7731 0045 2290 is held at customs. Pay the $2.99 release fee at "
     "dhl-customs-release.info before 6 PM, reply STOP to opt out."),
    ("mixed_light", "zh", "light", 1080, "+86 171 2233 4455", "今天 15:36",
     "Amazon通知：您的ASIN B08XYZ1234因侵权投诉已下架，请于今天内登录 sellercentral-amazon.help 提交Appeal申诉，联系电话 400-820-1314。"),
    ("mixed_dark", "zh", "dark", 1080, "+86 166 8800 2211", "今天 22:09",
     "TikTok Shop提醒：您的Payoneer收款账户异常，资金USD 5,600已冻结。请扫码或访问 tiktokshop-seller.cc/kyc 完成KYC认证。"),
]

THEMES = {
    "light": {"bg": (255, 255, 255), "bar": (247, 247, 247), "text": (0, 0, 0),
              "muted": (128, 128, 133), "bubble": (233, 233, 235), "rule": (216, 216, 220)},
    "dark": {"bg": (0, 0, 0), "bar": (28, 28, 30), "text": (255, 255, 255),
             "muted": (142, 142, 147), "bubble": (38, 38, 41), "rule": (56, 56, 58)},
}

# Which face of NotoSansCJK-Regular.ttc to use per language.
CJK_FACE = {"zh": "SC", "zh-Hant": "TC", "en": "SC"}


def cjk_font(language, size):
    want = CJK_FACE[language]
    for index in range(10):
        font = ImageFont.truetype(CJK_FONT, size, index=index)
        if font.getname()[0].endswith(f"CJK {want}"):
            return font
    raise SystemExit(f"no Noto Sans CJK {want} face in {CJK_FONT}")


def is_cjk(char):
    return ord(char) >= 0x2E80


def tokens(text):
    """Split into wrap units: single CJK characters and runs of other characters."""
    units, word = [], ""
    for char in text:
        if is_cjk(char) or char == " ":
            if word:
                units.append(word)
                word = ""
            units.append(char)
        else:
            word += char
    if word:
        units.append(word)
    return units


def wrap(text, font, max_width):
    lines, line = [], ""
    for unit in tokens(text):
        candidate = line + unit
        if line and font.getlength(candidate) > max_width:
            lines.append(line.rstrip())
            line = unit.lstrip()
        else:
            line = candidate
    if line:
        lines.append(line.rstrip())
    return lines


def render(language, theme, width, sender, received, message):
    height = width * 13 // 6
    scale = width / 1080
    colors = THEMES[theme]
    font = cjk_font(language, round(46 * scale)) if language != "en" else ImageFont.truetype(LATIN_FONT, round(42 * scale))
    small = cjk_font(language, round(36 * scale))
    title = cjk_font(language, round(44 * scale))

    image = Image.new("RGB", (width, height), colors["bg"])
    draw = ImageDraw.Draw(image)
    unit = lambda value: round(value * scale)

    # Status bar: clock on the left, signal bars and battery on the right.
    draw.text((unit(60), unit(30)), "9:41", font=title, fill=colors["text"])
    for bar in range(4):
        x = width - unit(250) + bar * unit(18)
        draw.rectangle((x, unit(70) - bar * unit(10), x + unit(10), unit(80)), fill=colors["text"])
    draw.rounded_rectangle((width - unit(150), unit(44), width - unit(70), unit(82)), unit(8), outline=colors["text"], width=unit(3))
    draw.rectangle((width - unit(144), unit(50), width - unit(90), unit(76)), fill=colors["text"])

    # Conversation header with the sender.
    draw.rectangle((0, unit(120), width, unit(300)), fill=colors["bar"])
    draw.ellipse((width // 2 - unit(45), unit(130), width // 2 + unit(45), unit(220)), fill=colors["muted"])
    sender_width = title.getlength(sender)
    draw.text(((width - sender_width) / 2, unit(230)), sender, font=title, fill=colors["text"])
    draw.line((0, unit(300), width, unit(300)), fill=colors["rule"], width=unit(2))

    # Time stamp, then the incoming bubble.
    stamp_width = small.getlength(received)
    draw.text(((width - stamp_width) / 2, unit(360)), received, font=small, fill=colors["muted"])
    lines = wrap(message, font, unit(720))
    line_height = unit(64)
    bubble_top = unit(440)
    bubble_width = max(font.getlength(line) for line in lines) + unit(80)
    bubble_bottom = bubble_top + len(lines) * line_height + unit(50)
    draw.rounded_rectangle((unit(40), bubble_top, unit(40) + bubble_width, bubble_bottom), unit(44), fill=colors["bubble"])
    for row, line in enumerate(lines):
        draw.text((unit(80), bubble_top + unit(25) + row * line_height), line, font=font, fill=colors["text"])

    expected = "\n".join(["9:41", sender, received, *lines]) + "\n"
    return image, expected


def telegram_compress(image):
    """Telegram re-encodes photos as JPEG with the longest side at most 1280."""
    factor = 1280 / max(image.size)
    if factor < 1:
        size = (round(image.width * factor), round(image.height * factor))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def write_bad_inputs(out, sample_jpeg):
    # A JPEG cut off mid-scan: the header is intact, the pixel data is not.
    data = sample_jpeg.read_bytes()
    (out / "bad_truncated.jpg").write_bytes(data[: len(data) // 3])
    # Not an image at all.
    (out / "bad_not_an_image.jpg").write_bytes(b"%PDF-1.4\nThis is not a picture of an SMS.\n")
    # Decompression bomb: a valid PNG header claiming 60000x60000 with almost no data.
    header = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
    bomb += png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + png_chunk(b"IEND", b"")
    (out / "bad_bomb.png").write_bytes(bomb)
    # A phone-sized screenshot with nothing on it.
    Image.new("RGB", (720, 1560), (255, 255, 255)).save(out / "bad_blank.png", optimize=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", help="comma-separated message names")
    parser.add_argument("--jpeg-only", action="store_true", help="skip the phone-resolution PNGs")
    parser.add_argument("--bad-inputs", action="store_true", help="also write the bad_* inputs")
    args = parser.parse_args()

    wanted = set(args.only.split(",")) if args.only else None
    args.out.mkdir(parents=True, exist_ok=True)
    for name, language, theme, width, sender, received, message in MESSAGES:
        if wanted is not None and name not in wanted:
            continue
        image, expected = render(language, theme, width, sender, received, message)
        if not args.jpeg_only:
            image.save(args.out / f"{name}.png", optimize=True)
        telegram_compress(image).save(args.out / f"{name}.jpg", quality=87)
        (args.out / f"{name}.txt").write_text(expected, encoding="utf-8")
        print(f"{name}: {image.width}x{image.height} {theme} {language}")
    if args.bad_inputs:
        write_bad_inputs(args.out, sorted(args.out.glob("[!b]*.jpg"))[0])


if __name__ == "__main__":
    main()
