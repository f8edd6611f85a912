using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// What a node is, as the driver and a worker compare it: a hash of its name, inputs, outputs, parameter and return
/// types and the identity of its code; and that code identity as text (<see cref="BuildOf"/>). A worker refuses a node
/// whose fingerprint differs from the driver's.
/// </summary>
/// <remarks>
/// The code is identified by the module version id (MVID) of the module that declares the node's function, and of the
/// module of the delegate's target type when that is another one (an instance method inherited from a library class).
/// Lambdas and closures live in compiler-generated classes of the declaring module, so they are covered by it. The
/// compiler gives a module a new MVID whenever its source changes and, in deterministic builds (the SDK's default),
/// the same MVID for the same source, so two builds of unchanged code agree and a changed node body does not.
/// Code emitted at run time (dynamic assemblies) has no stable identity and is named only.
/// Both parts are computed once per node instance (nodes are immutable) and module identities once per module, so a
/// run pays one table lookup per node.
/// </remarks>
internal static class NodeFingerprint
{
    private static readonly ConditionalWeakTable<Node, Identity> Nodes = new();
    private static readonly ConditionalWeakTable<Module, ModuleIdentity> Modules = new();

    /// <summary>The node's fingerprint: 24 hex digits.</summary>
    public static string Of(Node node) => IdentityOf(node).Fingerprint;

    /// <summary>
    /// The identity of the node's code, short enough to show: assembly name, version and the first 8 hex digits of
    /// the module version id, e.g. <c>MyApp 1.0.0.0, MVID 1a2b3c4d</c> (more than one module joined by <c>"; "</c>).
    /// </summary>
    public static string BuildOf(Node node) => IdentityOf(node).Build;

    /// <summary>The node's definition and code identity, for messages: <c>name([inputs]) -> [outputs] from MyApp 1.0.0.0, MVID 1a2b3c4d</c>.</summary>
    public static string Describe(Node node) =>
        $"{node.Name}([{string.Join(", ", node.Inputs)}]) -> [{string.Join(", ", node.Outputs)}] from {BuildOf(node)}";

    private static Identity IdentityOf(Node node) => Nodes.GetValue(node, static n => Compute(n));

    private static Identity Compute(Node node)
    {
        var method = node.Function.Method;
        var first = ModuleOf(method.Module);
        var targetModule = node.Function.Target?.GetType().Module;
        var second = targetModule is null || targetModule == method.Module ? null : ModuleOf(targetModule);

        var text = new StringBuilder()
            .Append(node.Name).Append('|')
            .AppendJoin(',', node.Inputs).Append('|')
            .AppendJoin(',', node.Outputs).Append('|')
            .AppendJoin(',', node.InputTypes.Select(t => t.FullName)).Append('|')
            .AppendJoin(',', node.OutputTypes.Select(t => t?.FullName)).Append('|')
            .Append(first.Full);
        if (second is not null)
        {
            text.Append('|').Append(second.Full);
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))[..12]);
        return new Identity(fingerprint, second is null ? first.Short : $"{first.Short}; {second.Short}");
    }

    private static ModuleIdentity ModuleOf(Module module) => Modules.GetValue(module, static m =>
    {
        var assembly = m.Assembly.GetName();
        var name = $"{assembly.Name} {assembly.Version}";
        if (m.Assembly.IsDynamic)
        {
            return new ModuleIdentity($"{name} (dynamic)", $"{name} (dynamic)");
        }

        var mvid = m.ModuleVersionId.ToString("N", CultureInfo.InvariantCulture);
        return new ModuleIdentity($"{name} {mvid}", $"{name}, MVID {mvid[..8]}");
    });

    private sealed record Identity(string Fingerprint, string Build);

    private sealed record ModuleIdentity(string Full, string Short);
}
