using System.Diagnostics;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>The capability check behind caller-dependent answers (trusted.* listing): /proc as the kernel fills it.</summary>
public sealed class RequestCallerTests
{
    [Fact]
    public void EffectiveCapabilitiesComeFromTheCapEffLine()
    {
        const string status = "Name:\tcat\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000200000\nCapBnd:\t000001ffffffffff\n";
        Assert.Equal(1UL << RequestCaller.SystemAdministratorCapability, RequestCaller.ParseEffectiveCapabilities(status));
        Assert.Null(RequestCaller.ParseEffectiveCapabilities("Name:\tcat\n"));
        Assert.Null(RequestCaller.ParseEffectiveCapabilities("CapEff:\tnot-hex\n"));
    }

    [Fact]
    public void OnlyTheFullIdentityMapIsTheInitialUserNamespace()
    {
        Assert.True(RequestCaller.IsInitialUserNamespaceMap("         0          0 4294967295\n"));
        Assert.False(RequestCaller.IsInitialUserNamespaceMap("         0       1000          1\n"));
        Assert.False(RequestCaller.IsInitialUserNamespaceMap("         0     100000      65536\n"));
        Assert.False(RequestCaller.IsInitialUserNamespaceMap(""));
    }

    [Fact]
    public void RootHasSysAdminAndNobodyDoesNot()
    {
        if (Environment.UserName != "root") Assert.Skip("needs root to compare a privileged and an unprivileged caller");
        Assert.True(new RequestCaller(0, 0, (uint)Environment.ProcessId).HasCapability(RequestCaller.SystemAdministratorCapability));

        var psi = new ProcessStartInfo("setpriv") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "30" }) psi.ArgumentList.Add(a);
        using var nobody = Process.Start(psi)!;
        try
        {
            // after the exec of sleep: setpriv may keep its capabilities between setresuid and exec (PR_SET_KEEPCAPS)
            Assert.True(SpinWait.SpinUntil(() =>
            {
                var status = File.ReadAllText($"/proc/{nobody.Id}/status");
                return status.StartsWith("Name:\tsleep\n", StringComparison.Ordinal) && status.Contains("Uid:\t65534");
            }, 10_000));
            Assert.False(new RequestCaller(65534, 65534, (uint)nobody.Id).HasCapability(RequestCaller.SystemAdministratorCapability));
        }
        finally
        {
            nobody.Kill();
        }
    }

    [Fact]
    public void UnnamedOrVanishedCallersHaveNothing()
    {
        Assert.False(new RequestCaller(0, 0, 0).HasCapability(RequestCaller.SystemAdministratorCapability));
        Assert.False(new RequestCaller(0, 0, int.MaxValue).HasCapability(RequestCaller.SystemAdministratorCapability));
        Assert.False(new RequestCaller(0, 0, (uint)Environment.ProcessId).HasCapability(64));
    }
}
