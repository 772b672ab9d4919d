import numpy as np
# tanh(x) ~ x * P(t) / Q(t), t = x^2, P degree p, Q degree q, Q(0) = 1... use P(0)=Q(0) ratio: normalize Q0 = 1.
def fit(p, q, xmax, iters=30):
    x = np.concatenate([np.linspace(1e-4, xmax, 20000), xmax*(1-np.cos(np.linspace(0, np.pi/2, 20000)))])
    x = np.unique(x); x = x[x > 1e-5]
    t = x*x; f = np.tanh(x)
    w = 1/f  # relative error weighting
    Qprev = np.ones_like(x)
    for it in range(iters):
        # minimize w/Qprev * (x P(t) - f Q(t)),  Q = 1 + sum b_j t^j
        s = (w / Qprev)[:, None]
        A = np.hstack([x[:, None] * t[:, None]**np.arange(p+1), -f[:, None] * t[:, None]**np.arange(1, q+1)])
        rhs = f
        # scale columns for conditioning
        scale = np.abs(A).max(axis=0)
        sol, *_ = np.linalg.lstsq(A*s/scale, rhs*s[:,0], rcond=None)
        sol = sol/scale
        a = sol[:p+1]; b = np.concatenate([[1.0], sol[p+1:]])
        Q = np.polyval(b[::-1], t); P = np.polyval(a[::-1], t)
        err = (x*P/Q - f)/f
        # minimax-ish: reweight by error magnitude (Lawson)
        w = w * (np.abs(err)/np.abs(err).max())**0.3 + 1e-300
        Qprev = Q
    return a, b, np.abs(err).max()
for p, q in [(5,3),(6,3),(6,2),(5,2),(4,3),(6,4)]:
    a, b, e = fit(p, q, 9.0)
    # float evaluation
    xs = np.linspace(0, 9, 400001).astype(np.float32)
    t = xs*xs
    a32 = a.astype(np.float32); b32 = b.astype(np.float32)
    P = np.zeros_like(t); 
    for c in a32[::-1]: P = (P*t + c).astype(np.float32)
    Q = np.zeros_like(t)
    for c in b32[::-1]: Q = (Q*t + c).astype(np.float32)
    y = (xs*P/Q).astype(np.float32)
    y = np.minimum(y, np.float32(1))
    ref = np.tanh(xs.astype(np.float64))
    rel = np.abs(y - ref)/np.maximum(ref, 1e-30)
    rel[0] = 0
    print(p, q, "fit rel err %.3g" % e, "float eval max rel %.3g" % rel.max(), "at", xs[rel.argmax()])
    if (p,q)==(6,3): print(repr(a), repr(b))
a, b, e = fit(5, 3, 9.0)
print("P", ", ".join("%.17g" % v for v in a))
print("Q", ", ".join("%.17g" % v for v in b))
