"""Elliptic-curve point arithmetic for PACE generic mapping.

The ``cryptography`` library does ECDH only on a curve's standard generator and hides
points, but generic mapping needs ``G~ = s·G + H`` and then key agreement on ``G~``.
This module does short-Weierstrass arithmetic in Jacobian coordinates with a
Montgomery ladder over a fixed number of bits (the scalar's size never changes the
number of steps).  Python integers are not constant time; the ladder only avoids the
grossest leak.  Points are affine ``(x, y)`` tuples; ``None`` is the point at infinity.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import AuthenticationFailed

Point = tuple[int, int] | None


@dataclass(frozen=True)
class Curve:
    """Short Weierstrass curve y² = x³ + ax + b over GF(p) with base point G of order n."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def g(self) -> Point:
        return (self.gx, self.gy)

    @property
    def size(self) -> int:
        """Coordinate size in bytes."""
        return (self.p.bit_length() + 7) // 8


BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    gx=0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    gy=0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)

# Standardized domain parameter ids (BSI TR-03110 / ICAO 9303-11 table) we implement.
CURVES_BY_PARAM_ID = {13: BRAINPOOL_P256R1}


def on_curve(curve: Curve, point: Point) -> bool:
    """True when ``point`` is a finite point on ``curve`` with coordinates in range."""
    if point is None:
        return False
    x, y = point
    if not (0 <= x < curve.p and 0 <= y < curve.p):
        return False
    return (y * y - (x * x * x + curve.a * x + curve.b)) % curve.p == 0


_Jac = tuple[int, int, int]  # (X, Y, Z); Z == 0 is infinity


def _to_jac(point: Point) -> _Jac:
    return (1, 1, 0) if point is None else (point[0], point[1], 1)


def _to_affine(curve: Curve, jac: _Jac) -> Point:
    x, y, z = jac
    if z == 0:
        return None
    p = curve.p
    zinv = pow(z, -1, p)
    zinv2 = zinv * zinv % p
    return (x * zinv2 % p, y * zinv2 * zinv % p)


def _double(curve: Curve, q: _Jac) -> _Jac:
    x, y, z = q
    p = curve.p
    if z == 0 or y == 0:
        return (1, 1, 0)
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + curve.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return (x3, y3, z3)


def _add(curve: Curve, q1: _Jac, q2: _Jac) -> _Jac:
    if q1[2] == 0:
        return q2
    if q2[2] == 0:
        return q1
    p = curve.p
    x1, y1, z1 = q1
    x2, y2, z2 = q2
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    if h == 0:
        return _double(curve, q1) if r == 0 else (1, 1, 0)
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    z3 = h * z1 * z2 % p
    return (x3, y3, z3)


def add(curve: Curve, p1: Point, p2: Point) -> Point:
    """Affine point addition P1 + P2."""
    return _to_affine(curve, _add(curve, _to_jac(p1), _to_jac(p2)))


def mul(curve: Curve, k: int, point: Point) -> Point:
    """Scalar multiplication k·P with a Montgomery ladder over the bit size of n."""
    k %= curve.n
    r0: _Jac = (1, 1, 0)
    r1 = _to_jac(point)
    for i in reversed(range(curve.n.bit_length())):
        if (k >> i) & 1:
            r0, r1 = _add(curve, r0, r1), _double(curve, r1)
        else:
            r1, r0 = _add(curve, r0, r1), _double(curve, r0)
    return _to_affine(curve, r0)


def encode_point(curve: Curve, point: Point) -> bytes:
    """Uncompressed encoding 04 ‖ x ‖ y."""
    if point is None:
        raise ValueError("cannot encode the point at infinity")
    size = curve.size
    return b"\x04" + point[0].to_bytes(size, "big") + point[1].to_bytes(size, "big")


def decode_point(curve: Curve, data: bytes) -> Point:
    """Decode and validate an uncompressed point; a bad point fails authentication.

    Validation matters: accepting an off-curve point from the other side would leak
    the private scalar (invalid-curve attack).
    """
    size = curve.size
    if len(data) != 1 + 2 * size or data[0] != 0x04:
        raise AuthenticationFailed("peer sent a malformed EC point")
    point = (int.from_bytes(data[1:1 + size], "big"), int.from_bytes(data[1 + size:], "big"))
    if not on_curve(curve, point):
        raise AuthenticationFailed("peer sent a point that is not on the curve")
    return point


# -- fast path ------------------------------------------------------------------------------
# OpenSSL (through ``cryptography``) multiplies in constant time and ~20x faster than the
# ladder above, but only returns x(k·P) from ECDH.  We recover y: the two candidates
# ±y are told apart by x((k+1)·P) = x(k·P + P), one cheap affine addition.  The ladder
# stays the reference (checked against the ICAO vectors) and the fallback.

def _ossl_curve(curve: Curve):  # noqa: ANN202 - cryptography curve instance
    from cryptography.hazmat.primitives.asymmetric import ec as _ec

    return {"brainpoolP256r1": _ec.BrainpoolP256R1}.get(curve.name, lambda: None)()


def _ecdh_x(curve: Curve, ossl_curve, k: int, point: tuple[int, int]) -> int:  # noqa: ANN001
    from cryptography.hazmat.primitives.asymmetric import ec as _ec

    private = _ec.derive_private_key(k, ossl_curve)
    peer = _ec.EllipticCurvePublicNumbers(point[0], point[1], ossl_curve).public_key()
    return int.from_bytes(private.exchange(_ec.ECDH(), peer), "big")


def mul_fast(curve: Curve, k: int, point: Point) -> Point:
    """k·P via OpenSSL when the curve is known to it, else the ladder; same result."""
    k %= curve.n
    ossl_curve = _ossl_curve(curve)
    if ossl_curve is None or point is None or k == 0 or (k + 1) % curve.n == 0:
        return mul(curve, k, point)
    try:
        if point == curve.g:
            from cryptography.hazmat.primitives.asymmetric import ec as _ec

            numbers = _ec.derive_private_key(k, ossl_curve).public_key().public_numbers()
            return (numbers.x, numbers.y)
        x1 = _ecdh_x(curve, ossl_curve, k, point)
        x2 = _ecdh_x(curve, ossl_curve, k + 1, point)
    except ValueError:  # result at infinity or an unusual point: let the ladder decide
        return mul(curve, k, point)
    p = curve.p
    y = pow((x1 * x1 * x1 + curve.a * x1 + curve.b) % p, (p + 1) // 4, p)  # p ≡ 3 (mod 4)
    for candidate in (y, p - y):
        summed = add(curve, (x1, candidate), point)
        if summed is not None and summed[0] == x2:
            return (x1, candidate)
    return mul(curve, k, point)
