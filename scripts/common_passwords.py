#!/usr/bin/env python3
"""Writes src/crypto/data/common_passwords.txt, the blocklist crypto::CheckPasswordPolicy refuses.

NIST SP 800-63B (5.1.1.2) asks that a chosen password be checked against values known to be commonly used,
expected or compromised: dictionary words, repetitive or sequential characters, context-specific words. This
list is written here from well-known weak patterns and general knowledge of the passwords that top every
published leak ranking; nothing is downloaded. Entries are lower case with spaces and separators removed; the
policy compares the password, its core without leading and trailing digits and symbols, and that core with
common letter-for-digit swaps undone (p@ssw0rd), so "Password1234!" is caught by the entry "password".

Run it again after editing the lists below: python3 scripts/common_passwords.py
"""
import os

COMMON = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
monkey letmein shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx
7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer
harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster
112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie
159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme matthew access
yankees 987654321 dallas austin thunder taylor matrix minecraft william corvette hello martin heather secret
merlin diamond 1234qwer gfhjkm hammer silver 222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick
internet scooter orange 11111 golfer cookie richard samantha bigdog guitar jackson whatever mickey chicken
sparky snoopy maverick phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea smokey
steelers joseph mercedes dakota arsenal eagles melissa boomer booboo spider nascar monster tigers yellow
xxxxxx 123123123 gateway marina diablo bulldog qwer1234 compaq purple banana junior hannah 123654
porsche lakers iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000 miller boston
q1w2e3r4 brandon yamaha chester mother forever johnny edward 333333 oliver redsox player nikita knight
fender barney midnight please brandy chicago badboy slayer rangers charles angel flower bigdaddy rabbit
wizard jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r jasmine winter
prince marine ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf
crystal 87654321 12344321 golden 8675309 rainbow apple bandit cheyenne hunter2 killer1 qwerty123
password1 password123 passw0rd p4ssw0rd passpass letmein1 welcome1 admin administrator root toor guest
changeme default login abcdef abcd1234 1qazxsw2 zaq12wsx zaq1zaq1 qazwsxedc 1q2w3e 1q2w3e4r5t 1q2w3e4r5t6y
qwertyu qwertyui asdfghjkl asdfghjk zxcvbnm1 qweasd qweasdzxc 147258369 159357 741852963 963852741
iloveu iloveyou1 iloveyou2 loveyou lovely lovelove babygirl baby princess1 angel1 sweety sweetheart
jesus christ god blessed heaven faith trinity hallelujah forever1 friends family happy smile sunshine1
monkey1 dragon1 shadow1 master1 football1 baseball1 soccer1 superman1 batman1 spiderman starwars1
pokemon naruto ninja samurai pikachu zelda mario nintendo playstation xbox360 minecraft1 fortnite roblox
google facebook twitter instagram youtube linkedin yahoo hotmail gmail microsoft windows apple123 iphone
android samsung1 nokia blackberry computer1 internet1 laptop desktop keyboard mouse monitor server
secret1 secret123 private confidential hidden mysecret topsecret unknown nothing nopassword nopass
letmeinnow openup opensesame sesame access14 accessgranted allowme entrynow trustme believe
qwerty1 qwerty12 qwerty1234 qwertz azerty azertyuiop qwertzuiop 1qaz 2wsx 3edc 4rfv 1qaz2wsx3edc
abc abcabc abcdefg abcdefgh abcdefghi abcdefghij abcdefghijkl abcdefghijklmnopqrstuvwxyz zyxwvutsrqponm
liverpool manchester chelsea1 arsenal1 tottenham everton newcastle leeds celtic rangers1 westham villa
united city fulham wolves brighton southampton leicester england scotland wales ireland britain london1
cardiff swansea glasgow edinburgh belfast birmingham bristol sheffield nottingham leicester1 coventry
summer1 winter1 spring autumn january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday weekend holiday christmas
easter halloween birthday newyear valentine
police policeman policewoman policeofficer officer constable sergeant inspector detective copper bobby
metpolice metropolitan scotlandyard thinblueline blueline bluelight blue999 999999999 emergency
ambulance paramedic firefighter fireman firebrigade fireservice rescue responder nhs hospital nurse doctor
crisis crisisline helpline hotline counsellor counselor counselling counseling support wellbeing
mentalhealth samaritans lifeline safeline careline listening listener helpme help123 savemylife
welcome123 welcome2024 changeme123 newpassword newpass password2 password12 password1234 mypassword
yourpassword thepassword passwordpassword superpassword strongpassword securepassword goodpassword
bestpassword simplepassword easypassword hardpassword longpassword verylongpassword
correcthorsebatterystaple correcthorse horsebatterystaple trustnoone letmeinplease iwantin
qwertyuiopasdfghjkl qwertyuiopasdfghjklzxcvbnm asdfghjklzxcvbnm 1234567890qwertyuiop 1qaz2wsx3edc4rfv
qazwsxedcrfv qazwsxedcrfvtgb zaq1xsw2cde3 1q2w3e4r5t6y7u8i9o0p 0987654321 098765432 9876543210
123456789012 1234567890123 12345678901234 111111111111 000000000000 123123123123 121212121212
112233445566 123454321 1234512345 1234554321 12341234 12121212 11223344 123412341234 147852369 135792468
abc123abc123 abcd12345678 a1b2c3d4e5f6 a1b2c3 aa123456 aaa111 qwe123 asd123 zxc123 abc12345
iloveyouforever iloveyousomuch iloveyoubaby iloveyoumore loveyouforever foreverandever
michael1 jennifer1 jessica1 ashley1 michelle1 daniel1 jordan1 thomas1 robert1 charlie1 andrew1 joshua1
sarah emma olivia sophie chloe lucy jack harry oliver1 george1 jacob james1 william1 noah alfie charlie2
david john paul mark peter simon steven1 stephen richard1 christopher chris1 matthew1 anthony1 kevin
jason brian gary ian neil lee craig scott stuart graham alan colin keith barry wayne dean carl
emily grace amelia ella mia isabella ava lily sophia jessica2 hannah1 rebecca laura helen karen
susan sarah1 claire emma1 lisa amy rachel1 victoria1 charlotte elizabeth katie kate mary linda
dog cat puppy kitten doggie kitty fluffy buddy max bella molly daisy lucky rocky toby coco sammy
tiger lion bear wolf eagle shark horse pony bunny teddy
letmein123 monkey123 dragon123 shadow123 master123 football123 baseball123 sunshine123 princess123
qwerty123456 abc123456 password12345 password123456 admin123 admin1234 administrator1 root123 test123
test1234 testing tester testtest demo demo123 sample example
"""

# Rows of a UK keyboard (read on across the rows) and the number pad: every run of 6 or more along them, both ways.
KEYBOARD_ROWS = ["1234567890qwertyuiopasdfghjklzxcvbnm", "qazwsxedcrfvtgbyhnujmikolp",
                 "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "1q2w3e4r5t6y7u8i9o0p", "7894561230", "147258369",
                 "abcdefghijklmnopqrstuvwxyz"]


def keyboard_runs():
    out = set()
    for row in KEYBOARD_ROWS:
        for text in (row, row[::-1]):
            for start in range(len(text)):
                for end in range(start + 6, len(text) + 1):
                    out.add(text[start:end])
    return out


def main():
    words = {w.strip().lower() for w in COMMON.split() if w.strip()}
    words |= keyboard_runs()
    path = os.path.join(os.path.dirname(__file__), "..", "src", "crypto", "data", "common_passwords.txt")
    with open(path, "w") as f:
        f.write("# Common, expected and trivial passwords (NIST SP 800-63B 5.1.1.2); one a line, lower case.\n")
        f.write("# Written by scripts/common_passwords.py from well-known weak patterns; edit the script, not this.\n")
        for w in sorted(words):
            f.write(w + "\n")
    print(f"{len(words)} entries in {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
