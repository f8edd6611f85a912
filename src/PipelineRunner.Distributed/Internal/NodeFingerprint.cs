using System.Security.Cryptography;
using System.Text;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Internal;

/// <summary>
/// A hash of what a node is: its name, inputs, outputs, parameter and return types, and the name and version of the
/// assembly its function lives in. A worker refuses a node whose fingerprint differs from the driver's.
/// </summary>
internal static class NodeFingerprint
{
    public static string Of(Node node)
    {
        var assembly = node.Function.Method.DeclaringType?.Assembly.GetName();
        var text = new StringBuilder()
            .Append(node.Name).Append('|')
            .AppendJoin(',', node.Inputs).Append('|')
            .AppendJoin(',', node.Outputs).Append('|')
            .AppendJoin(',', node.InputTypes.Select(t => t.FullName)).Append('|')
            .AppendJoin(',', node.OutputTypes.Select(t => t?.FullName)).Append('|')
            .Append(assembly?.Name).Append(' ').Append(assembly?.Version)
            .ToString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..12]);
    }

    public static string Describe(Node node)
    {
        var assembly = node.Function.Method.DeclaringType?.Assembly.GetName();
        return $"{node.Name}([{string.Join(", ", node.Inputs)}]) -> [{string.Join(", ", node.Outputs)}] from {assembly?.Name} {assembly?.Version}";
    }
}
