using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ciaf.Benchmarks;

/// <summary>What the run was measured on; printed at the top of every result.</summary>
internal sealed record MachineInfo(int Cores, long MemoryBytes, string Os, string Runtime, string Sdk, string Cpu, string Disk)
{
    public static MachineInfo Detect(string workFolder) => new(
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        RuntimeInformation.OSDescription,
        $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
        SdkVersion(),
        CpuModel(),
        DiskOf(workFolder));

    public string Line =>
        $"{Cores} cores ({Cpu}), {MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB memory, {Os}, {Runtime}, .NET SDK {Sdk}, store folder on {Disk}";

    private static string SdkVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dotnet", "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return "unknown";
            string text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text.Length > 0 ? text : "unknown";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null) return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string DiskOf(string folder)
    {
        try
        {
            var drive = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(folder)) ?? "/");
            return $"{drive.DriveFormat} ({drive.AvailableFreeSpace / (1024L * 1024 * 1024)} GiB free)";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "unknown";
        }
    }
}
