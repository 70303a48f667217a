using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>Pickles that would run code or build objects in Python are refused, and nothing runs.</summary>
public class PickleSecurityTests
{
    // Writes <case>.pkl files whose loading by pickle.load would create the marker file (or build an
    // arbitrary object), and cases.json: case -> the global our loader must name when refusing it.
    private const string WriteMaliciousPickles = """
        import sys, os, json, pickle, subprocess, builtins
        out, marker = sys.argv[1], sys.argv[2]
        class SystemCall:
            def __reduce__(self): return (os.system, ('touch ' + marker,))
        class EvalCall:
            def __reduce__(self): return (builtins.eval, ("__import__('os').system('touch %s')" % marker,))
        class ExecCall:
            def __reduce__(self): return (builtins.exec, ("open(%r, 'w').close()" % marker,))
        class PopenCall:
            def __reduce__(self): return (subprocess.Popen, (['touch', marker],))
        class Plain:
            def __init__(self): self.x = 1
        def record(md):
            return {'id': '11111111-2222-3333-4444-555555555555', 'model_name': 'm', 'model_version': '1.0.0',
                    'stage': 'training', 'event_type': 'e', 'timestamp': '2026-03-01T00:00:01+00:00',
                    'metadata_hash': '', 'details': None, 'metadata': md}
        system = os.system.__module__ + '.system'
        m = marker.encode()
        cases = {
            'os_system_p0': (pickle.dumps(SystemCall(), 0), system),
            'os_system_p2': (pickle.dumps(SystemCall(), 2), system),
            'os_system_p4': (pickle.dumps(SystemCall(), 4), system),
            'os_system_p5': (pickle.dumps(SystemCall(), 5), system),
            'os_system_inside_record': (pickle.dumps(record({'ok': 1, 'evil': SystemCall()}), 4), system),
            'builtins_eval': (pickle.dumps(EvalCall(), 4), 'builtins.eval'),
            'builtins_exec_p0': (pickle.dumps(ExecCall(), 0), '__builtin__.exec'),
            'subprocess_popen': (pickle.dumps(PopenCall(), 4), 'subprocess.Popen'),
            'handmade_global_p0': (b"cos\nsystem\n(S'touch " + m + b"'\ntR.", 'os.system'),
            'handmade_inst_p0': (b"(S'touch " + m + b"'\nios\nsystem\n.", 'os.system'),
            'class_instance': (pickle.dumps(record({'obj': Plain()}), 4), '__main__.Plain'),
            'set_p2': (pickle.dumps({1, 2}, 2), '__builtin__.set'),
        }
        for name, (data, _) in cases.items():
            open(os.path.join(out, name + '.pkl'), 'wb').write(data)
        json.dump({name: g for name, (_, g) in cases.items()}, open(os.path.join(out, 'cases.json'), 'w'))
        print('ok')
        """;

    [Fact]
    public void Deserialize_MaliciousPythonPickles_RefusedNamingGlobalWithoutSideEffect()
    {
        using var folder = new TempDirectory();
        string marker = folder.Combine("pwned");
        Assert.Equal("ok", Python.Run(WriteMaliciousPickles, folder.Path, marker).Trim());
        var cases = (JsonObject)PythonJson.Parse(File.ReadAllBytes(folder.Combine("cases.json")))!;
        Assert.Equal(12, cases.Count);

        foreach (var (name, global) in cases)
        {
            byte[] bytes = File.ReadAllBytes(folder.Combine(name + ".pkl"));

            var ex = Assert.Throws<UnsafePickleException>(() => PickleRecordCodec.Deserialize(bytes));

            Assert.Equal((string)global!, ex.RefusedGlobal);
            Assert.Contains($"pickle refers to '{(string)global!}'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("only plain data is allowed", ex.Message, StringComparison.Ordinal);
            Assert.IsAssignableFrom<FormatException>(ex);
            Assert.False(File.Exists(marker), $"{name} ran code");
        }
    }

    [Fact]
    public void MaliciousPickle_LoadedByPython_DoesRunCode()
    {
        // The control experiment: the pickles above are really dangerous, so the refusals mean something.
        using var folder = new TempDirectory();
        string marker = folder.Combine("pwned");
        Python.Run(WriteMaliciousPickles, folder.Path, marker);
        Assert.Throws<UnsafePickleException>(() => PickleRecordCodec.Deserialize(File.ReadAllBytes(folder.Combine("os_system_p4.pkl"))));
        Assert.False(File.Exists(marker));

        Python.Run("import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))", folder.Combine("os_system_p4.pkl"));

        Assert.True(File.Exists(marker));
    }

    [Theory]
    // globals Razorvine.Pickle's Unpickler would construct (complex, Decimal, array, bytearray, set) or map to ClassDict
    [InlineData("decimal\nDecimal", "decimal.Decimal")]
    [InlineData("builtins\ncomplex", "builtins.complex")]
    [InlineData("array\narray", "array.array")]
    [InlineData("builtins\nbytearray", "builtins.bytearray")]
    [InlineData("copyreg\n_reconstructor", "copyreg._reconstructor")]
    [InlineData("builtins\ngetattr", "builtins.getattr")]
    [InlineData("datetime\ndatetime.fromisoformat", "datetime.datetime.fromisoformat")]
    [InlineData("datetime\ntzinfo", "datetime.tzinfo")]
    [InlineData("zoneinfo\nZoneInfo", "zoneinfo.ZoneInfo")]
    [InlineData("System.IO\nFile", "System.IO.File")]
    public void Deserialize_GlobalOtherThanDatetime_RefusedAtTheGlobalOpcode(string moduleAndName, string qualified)
    {
        byte[] bytes = Encoding.UTF8.GetBytes("c" + moduleAndName + "\n(S'x'\ntR.");

        var ex = Assert.Throws<UnsafePickleException>(() => PickleRecordCodec.Deserialize(bytes));

        Assert.Equal(qualified, ex.RefusedGlobal);
        Assert.Equal("GLOBAL", ex.Opcode);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void Deserialize_StackGlobal_RefusedBeforeReduce()
    {
        // PROTO 4, SHORT_BINUNICODE 'os', SHORT_BINUNICODE 'system', STACK_GLOBAL, ... (REDUCE never reached)
        byte[] bytes = [0x80, 4, 0x8c, 2, (byte)'o', (byte)'s', 0x8c, 6, .. "system"u8, 0x93, 0x8c, 1, (byte)'x', 0x85, (byte)'R', (byte)'.'];

        var ex = Assert.Throws<UnsafePickleException>(() => PickleRecordCodec.Deserialize(bytes));

        Assert.Equal("os.system", ex.RefusedGlobal);
        Assert.Equal("STACK_GLOBAL", ex.Opcode);
        Assert.Equal(14, ex.Offset);
    }

    [Theory]
    [InlineData("80047d947d9462", "BUILD")]            // EMPTY_DICT, EMPTY_DICT, BUILD
    [InlineData("506162630a2e", "PERSID")]            // PERSID 'abc'
    [InlineData("80048c0361626394512e", "BINPERSID")]  // SHORT_BINUNICODE 'abc', BINPERSID
    [InlineData("800282012e", "EXT1")]                 // EXT1 1
    [InlineData("80028301002e", "EXT2")]               // EXT2 1
    [InlineData("800284010000002e", "EXT4")]           // EXT4 1
    [InlineData("8005972e", "NEXT_BUFFER")]            // NEXT_BUFFER
    [InlineData("80054300982e", "READONLY_BUFFER")]    // SHORT_BINBYTES b'', READONLY_BUFFER
    public void Deserialize_ObjectBuildingOpcode_Refused(string hex, string opcode)
    {
        byte[] bytes = Convert.FromHexString(hex);

        var ex = Assert.Throws<UnsafePickleException>(() => PickleRecordCodec.Deserialize(bytes));

        Assert.Equal(opcode, ex.Opcode);
        Assert.Null(ex.RefusedGlobal);
        Assert.Contains("only plain data is allowed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cdatetime\ndatetime\n(S'x'\ntR.")]                  // datetime with a bad argument
    [InlineData("cdatetime\ndate\n(I2026\nI2\nI30\ntR.")]            // 30 February
    [InlineData("cdatetime\ntimedelta\n(I0\nI0\nI0\ntR.")]           // a timedelta is not JSON data
    [InlineData("c_codecs\nencode\n(Vabc\nVutf-8\ntR.")]             // only latin1 is allowed
    [InlineData("cdatetime\ntimezone\n(cdatetime\ntimedelta\n(I1\nI0\nI0\ntRtR.")] // offset of a whole day
    [InlineData("S'abc'\nS'def'\nR.")]                                // REDUCE on a str
    public void Deserialize_AllowedGlobalMisused_ThrowsPlainFormatException(string pickle)
    {
        var ex = Assert.ThrowsAny<FormatException>(() => PickleRecordCodec.Deserialize(Encoding.UTF8.GetBytes(pickle)));

        Assert.IsNotType<UnsafePickleException>(ex);
    }
}
