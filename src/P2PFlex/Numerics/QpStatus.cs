namespace P2PFlex.Numerics;

/// <summary>How an active-set solve ended.</summary>
public enum QpStatus
{
    /// <summary>The KKT conditions hold at the returned point.</summary>
    Optimal,
    /// <summary>The iteration limit was hit in both phases (classical rules, then anti-cycling rules); the point is
    /// feasible but not proven optimal.</summary>
    IterationLimit,
}
