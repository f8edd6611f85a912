using Microsoft.Extensions.Options;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// The rules of an options type in one place, for both ways they are checked: every fault at once through the
/// options system (<see cref="IValidateOptions{TOptions}"/>), or the first as one-line <see cref="ArgumentException"/>
/// where a component is created from an options object.
/// </summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal abstract class OptionsRules<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public void ThrowIfInvalid(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Failures(options).FirstOrDefault() is { } failure)
        {
            throw new ArgumentException(failure); // one line: no parameter name appended
        }
    }

    /// <summary>One sentence per fault, naming the option.</summary>
    protected abstract IEnumerable<string> Failures(TOptions options);
}
