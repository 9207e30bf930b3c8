"""Residents' messages in our own words, for the tests that compare search with one segmentation and
another: services asked for in many ways, fields, channels and kinds, the article's topics,
follow-ups, openings the router takes off, English words, traditional characters, full-width
digits, slips of the pen, and messages search finds nothing for. Never an evaluation text."""

from __future__ import annotations

# Single messages, each sent as a conversation of its own.
SINGLE = (
    "请问结婚登记去哪个窗口办", "我想咨询一下离婚手续怎么走",
    "想了解一下图书馆的借书证咋办", "查个人档案去哪里",
    "孩子上小学一年级怎么报名", "初中入学要什么材料", "幼儿园报名是几月份",
    "老人高龄补贴怎么领", "养老服务补贴申请条件", "我想开个小饭馆要办什么证",
    "公司营业执照变更登记", "失业了能领什么补助", "灵活就业社保怎么交",
    "低保户每个月能拿多少", "家里困难能申请临时救助不", "大病住院花了好多钱有没有救助",
    "残疾人两项补贴在哪办", "退役军人优待证怎么申请", "人才公寓的入住手续怎样办理",
    "高层次人才子女上学有什么政策", "经纬人才计划主要支持哪些人", "一窗办到底是什么意思",
    "哪些事项可以网上办", "只带身份证能办哪些事", "不用跑腿就能办的业务有哪些",
    "老年人这一块能办哪些事", "救助类的事项都有哪些", "就近办是指在哪里办",
    "今年有哪些民生实事", "老旧小区改造改了多少个", "口袋公园建了几个",
    "南部科创新城在什么位置", "中央商务区建设进展如何", "花漾街区是什么",
    "營業執照怎麼辦理", "居住證要帶什麼", "有没有digital economy相关的园区",
    "２０２０年的重点工作有哪些", "人才落护怎么办", "上一年级要准备啥",
    "你好，请问居住证多久能拿到", "您好，我想问问低保的条件", "谢谢你",
    "跟我聊天的是不是程序", "我要找人工客服", "明天天气怎么样", "帮我订一张去北京的火车票",
    "隔壁装修太吵了找谁", "小区停车位太少了", "12345", "第二个", "还有吗", "不是这个",
    "要带啥材料", "收费吗", "周末上班吗", "电话多少", "在哪个大厅",
)

# Conversations of several turns: follow-ups lean on the state the earlier turns left.
CONVERSATIONS = (
    ("居住证的办理流程", "要多长时间", "那结婚登记呢", "需要哪些材料"),
    ("入学报名", "第二个", "在哪里办"),
    ("经纬人才计划讲了些啥内容", "具体有哪些", "人才住房怎么申请"),
    ("老旧小区改造", "还有吗", "总共投资多少"),
    ("救助方面能办什么", "临时救助那个", "收不收费"),
    ("想问问补贴", "高龄那个", "怎么申请"),
    ("我想开饭店", "营业执照要带什么", "可以网上办吗"),
    ("随便说点什么", "/deny"),
)
