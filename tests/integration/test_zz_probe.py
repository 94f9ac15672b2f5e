import pytest
from helpers import post
@pytest.mark.parametrize("i,ctype,body", [
 (1, "multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data\r\n\r\nx\r\n--abc--\r\n"),
 (2, "multipart/form-data; boundary=abc", b"--abc\r\nno headers end"),
 (3, "multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"what\"\r\n\r\nhi"),
 (4, "application/x-www-form-urlencoded", b"what=%zz&category=%"),
 (5, "application/x-www-form-urlencoded", b"&&&===&&"),
])
def test_probe(hotline, i, ctype, body):
    try:
        r = post(hotline.url, "/report", body, ctype)
        print(i, r.status)
    except Exception as e:
        print(i, "EXC", e)
    import time; time.sleep(0.2)
    assert hotline.alive()
