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
The held-out set (other messages; committed the same way):
  /tmp/ocr-venv/bin/python scripts/render_screenshots.py --out tests/fixtures/ocr_held_out --jpeg-only --set held-out
A second held-out set, measured once at the end (not committed):
  /tmp/ocr-venv/bin/python scripts/render_screenshots.py --out /tmp/ocr_fresh --jpeg-only --set fresh
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

# A held-out set with other messages, senders and layouts: never used to tune the
# OCR, only to check that what helps on MESSAGES also helps on text it has not seen.
HELD_OUT = [
    ("h_zh_light", "zh", "light", 720, "106 5731 0088", "今天 08:05",
     "【拼多多】您的店铺因售假被平台处罚，需缴纳违约金1500元，请于今日18点前访问 pdd-merchant-fine.cn 处理，逾期将冻结提现。"),
    ("h_zh_dark", "zh", "dark", 1080, "+86 139 0571 2468", "昨天 23:17",
     "【京东商家】系统升级需要重新绑定收款银行卡，请添加专员微信 jd-shop-vip666 领取操作指南，今天内未完成将暂停结算。"),
    ("h_zh_tax_dark", "zh", "dark", 720, "12366", "星期五 10:48",
     "【税务提醒】您的网店经营所得未申报，应补税款8,650元。请在3日内登录 etax-refund.org/cn 核对，咨询电话 021-6128-7734。"),
    ("h_zh_courier_light", "zh", "light", 1080, "106 9555 0021", "今天 12:30",
     "【中通快递】您的包裹在转运中心破损，理赔金额68元已到账，请扫码或打开 zto-claim.top/pay 填写银行卡号领取。"),
    ("h_zh_hant_light", "zh-Hant", "light", 720, "+886 933 221 907", "今天 17:26",
     "【露天拍賣】您的商店評價異常，系統已暫停出貨功能。請於三日內至 ruten-verify.net/shop 完成身分驗證，以免影響款項撥付。"),
    ("h_zh_hant_dark", "zh-Hant", "dark", 1080, "+852 9876 5432", "昨天 20:14",
     "【HKTVmall】商戶結算失敗，金額港幣4,320元將被退回。請聯絡客服WhatsApp +852 5128 6603 或登入 hktv-seller.help 更新資料。"),
    ("h_en_light", "en", "light", 720, "+1 (646) 555-0117", "Today 09:40",
     "Etsy: Your shop was flagged for a policy review. Sales are paused until you confirm ownership at etsy-shop-review.com/verify within 48 hours."),
    ("h_en_dark", "en", "dark", 1080, "+61 491 570 156", "Yesterday 21:55",
     "Walmart Marketplace: Two orders were charged back ($612.40). Call our seller desk at 1-877-555-0146 or WhatsApp +1 917 555 0183 to avoid suspension."),
    ("h_en_bank_light", "en", "light", 1080, "SECURE-PAY", "Mon 07:12",
     "Stripe: We could not verify your business. Payouts of $9,215.00 are on hold. Upload your ID at stripe-kyc-center.net/upload?ref=7741 by Friday."),
    ("h_mixed_light", "zh", "light", 720, "+86 185 6620 9071", "今天 14:02",
     "eBay提醒：您的PayPal账户收到一笔$2,480.00争议，请在24小时内登录 ebay-dispute-help.com 上传发货凭证，或联系Telegram @ebay_cs_cn。"),
    ("h_mixed_dark", "zh", "dark", 1080, "+86 150 2277 6143", "今天 19:48",
     "Shopify通知：您的店铺Stripe收款已暂停，请于48小时内完成KYC认证 shopify-verify.shop/kyc 否则订单ORD-58214将被取消。"),
    ("h_mixed_wallet_dark", "zh", "dark", 720, "95555", "星期一 11:20",
     "Lazada卖家中心：检测到异常登录IP 203.0.113.45，资金USD 1,980已冻结，请拨打 400-606-2290 或访问 lzd-seller.cc/login 解冻。"),
]

# A second held-out set, rendered only to measure once the OCR was settled
# (not committed as fixtures): longer messages, other wording.
FRESH = [
    ("f_zh_bank_light", "zh", "light", 1080, "95566", "今天 09:58",
     "【中国银行】尊敬的客户，您的网银盾证书将于今日过期，为避免影响您的店铺收款，请尽快登录 boc-cert-update.com/ukey 进行更新，如有疑问请致电 400-669-5566。"),
    ("f_zh_live_dark", "zh", "dark", 720, "106 9833 7150", "昨天 18:42",
     "【抖店】您的直播间因违规宣传被限流，保证金2000元将被扣除。申诉请加客服微信 douyin-kf2024 提交材料，超时不予处理。"),
    ("f_zh_ship_light", "zh", "light", 720, "+86 176 0213 5588", "星期三 16:05",
     "您好，我是菜鸟物流理赔专员，您的12件商品在仓库丢失，我们将按三倍赔偿共计3,960元，请下载APP并输入邀请码 CN8832 办理。"),
    ("f_zh_hant_shop_dark", "zh-Hant", "dark", 1080, "+886 987 654 321", "今天 13:20",
     "【momo購物網】親愛的賣家您好，系統偵測到您的收款帳號有誤，款項NT$18,600已暫停撥付，請於今日內至 momo-seller.tw/fix 更正。"),
    ("f_zh_hant_bank_light", "zh-Hant", "light", 720, "+852 6688 1020", "星期四 10:11",
     "【匯豐銀行】您的商業戶口出現可疑交易，已暫時凍結。請立即致電客戶服務熱線 +852 3011 9988 或瀏覽 hsbc-hk-secure.net 解除。"),
    ("f_en_amazon_dark", "en", "dark", 1080, "+1 (312) 555-0161", "Today 07:33",
     "Amazon: Your listing B0CX4Q9ZLM was removed for a counterfeit complaint. To reinstate it, pay the $49.99 review fee at amazon-brand-appeal.org within 12 hours."),
    ("f_en_fedex_light", "en", "light", 720, "FedEx-Notice", "Sat 11:47",
     "FedEx: We tried to deliver your parcel 6129 8830 4417 today. Schedule a new delivery at fedex-redelivery.co/track?n=61298 or call +1 (888) 555-0109."),
    ("f_mixed_paypal_light", "zh", "light", 1080, "+86 133 1122 9087", "今天 21:16",
     "PayPal安全中心：您的账户于今天20:58在新设备登录，如非本人操作，请立即访问 paypal-verify-cn.com/login 或拨打 021-5067-3388 冻结账户。"),
    ("f_mixed_walmart_dark", "zh", "dark", 720, "+86 159 8876 0412", "星期日 09:30",
     "Walmart卖家通知：您的店铺有3个订单被判定为Fraud，请在24小时内上传发票至 walmart-seller-help.net/doc 否则将关闭店铺。"),
    ("f_mixed_wise_light", "zh", "light", 720, "Wise-Pay", "昨天 15:52",
     "Wise：您有一笔EUR 2,350.00的入账因KYC资料不全被退回，请添加Telegram @wise_support_cn 或WhatsApp +44 7700 900456 补充资料。"),
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
    parser.add_argument("--set", choices=["fixtures", "held-out", "fresh"], default="fixtures",
                        help="which messages: the fixtures (MESSAGES), HELD_OUT or FRESH")
    args = parser.parse_args()

    wanted = set(args.only.split(",")) if args.only else None
    args.out.mkdir(parents=True, exist_ok=True)
    messages = {"fixtures": MESSAGES, "held-out": HELD_OUT, "fresh": FRESH}[args.set]
    for name, language, theme, width, sender, received, message in messages:
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
