"""Plain-words requests in DMs and @mentions: what counts as asking for help, and the topic it names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.intents import MAX_TOPIC_LENGTH, HelpIntent, parse_help_intent

REQUESTS = [
    # The product spec's own phrasings.
    ("help me with X", "X"),
    ("I need help with X", "X"),
    ("can someone help me with pandas groupby?", "pandas groupby"),
    ("anyone know kubernetes?", "kubernetes"),
    ("I need help with setting up postgres replication", "setting up postgres replication"),
    ("could anyone help me with Airflow please", "Airflow"),
    ("need a hand with the Helm chart", "the Helm chart"),
    ("looking for help on Terraform state", "Terraform state"),
    ("how do I rebase a branch?", "rebase a branch"),
    ("does anybody know about Kafka Streams", "Kafka Streams"),
    ("hey <@U0BURST> help with GraphQL", "GraphQL"),
    ("Help: CSS grid", "CSS grid"),
    ("stuck on webpack config", "webpack config"),
    # Asking someone to help.
    ("HELP ME WITH DNS", "DNS"),
    ("help with C++ templates", "C++ templates"),
    ("help with node.js.", "node.js"),
    ("Help - flexbox", "flexbox"),
    ("help needed with Terraform modules", "Terraform modules"),
    ("Help needed: flaky Cypress tests", "flaky Cypress tests"),
    ("help me debug my flaky tests", "debug my flaky tests"),
    ("can u help me w/ regex", "regex"),
    ("someone help me with git please", "git"),
    ("Who can help me with Kafka?", "Kafka"),
    ("is anyone able to help me with Spark tuning?", "Spark tuning"),
    ("could somebody give me a hand with the Jenkins pipeline?", "the Jenkins pipeline"),
    ("would anyone mind helping me with SQLAlchemy sessions", "SQLAlchemy sessions"),
    ("pls help with excel macros 🙏", "excel macros"),
    ("can anyone help out with vim macros??", "vim macros"),
    # Saying you need help.
    ("I could really use a hand with this bash script", "this bash script"),
    ("could use some help with React hooks", "React hooks"),
    ("can I get some help with CI caching?", "CI caching"),
    ("I'd love a second pair of eyes on my terraform plan", "my terraform plan"),
    ("I need someone who knows Go generics", "Go generics"),
    ("we need an expert on Elasticsearch", "Elasticsearch"),
    ("I'm looking for someone who knows Figma", "Figma"),
    ("need help setting up SAML", "setting up SAML"),
    ("i need help w/ jest mocks", "jest mocks"),
    ("I need some advice on career growth", "career growth"),
    # Asking who knows.
    ("yo, anyone familiar with GraphQL subscriptions", "GraphQL subscriptions"),
    ("Is there anyone who knows Rust lifetimes?", "Rust lifetimes"),
    ("who's good at SQL window functions?", "SQL window functions"),
    ("has anyone used Airflow?", "Airflow"),
    ("anyone here worked with Snowflake?", "Snowflake"),
    ("anyone know C#?", "C#"),
    ("anyone know how to set up pg replication?", "set up pg replication"),
    ("does anyone have experience with Temporal?", "Temporal"),
    ("has anybody dealt with CORS errors before?", "CORS errors"),
    ("Anyone with Kotlin experience around?", "Kotlin"),
    ("anyone with experience in Elixir?", "Elixir"),
    ("any experts on Kubernetes operators here?", "Kubernetes operators"),
    ("who should I ask about the billing service?", "the billing service"),
    ("who's the go-to person for SSO?", "SSO"),
    # How-to questions.
    ("How can I speed up my Docker builds?", "speed up my Docker builds"),
    ("how to configure nginx as a reverse proxy", "configure nginx as a reverse proxy"),
    ("how does the rate limiter work?", "the rate limiter"),
    ("what's the best way to structure a monorepo?", "structure a monorepo"),
    ("is there a way to squash commits after pushing?", "squash commits after pushing"),
    # Stuck, questions, tips, explanations.
    ("I'm stuck on webpack config :sweat_smile:", "webpack config"),
    ("Im stuck with the vpn", "the vpn"),
    ("i'm struggling with async/await in Python", "async/await in Python"),
    ("I'm having trouble with Docker networking", "Docker networking"),
    ("quick question about Kafka consumer groups", "Kafka consumer groups"),
    ("I have a question about OAuth scopes", "OAuth scopes"),
    ("question: anyone know helm?", "helm"),
    ("any tips on writing good ADRs?", "writing good ADRs"),
    ("any pointers for learning Rust?", "learning Rust"),
    ("can someone explain monads to me", "monads"),
    ("ELI5: vector databases", "vector databases"),
    ("walk me through the deploy pipeline", "the deploy pipeline"),
    ("help me understand Python descriptors", "Python descriptors"),
    ("Can anyone review my SQL query?", "my SQL query"),
    ("Could someone pair with me on the auth bug?", "the auth bug"),
    # Greetings, mentions, politeness, quotes, markup and extra sentences around the request.
    ("hi team, can anyone help with terraform modules? thanks!", "terraform modules"),
    ("hey there! can someone help me with terraform? 🙏🏽", "terraform"),
    ("hey @burst, help me with Redis", "Redis"),
    ("hello burst, I need help with Vue 3 reactivity", "Vue 3 reactivity"),
    ("<@U0BURST|burst> anyone know Ansible?", "Ansible"),
    ("Good morning all! Need help with Jira automation, thanks in advance", "Jira automation"),
    ("sorry to bother, could someone help me with LDAP?", "LDAP"),
    ('"help me with the Kafka schema registry"', "the Kafka schema registry"),
    ("can someone help me with 'pandas groupby'?", "pandas groupby"),
    ("*help with k8s*", "k8s"),
    ("anyone know about <https://example.com|FooLib>?", "FooLib"),
    ("help with <#C123|infra> alerts", "#infra alerts"),
    ("Hello! I need help with Python packaging. My wheel won't build.", "Python packaging"),
    ("hi\nhelp me with Grafana dashboards\nthey keep timing out", "Grafana dashboards"),
    ("help with docker &amp; compose", "docker & compose"),
    ("Help: how do I rebase?", "rebase"),
    ("hey all, quick q: how do I profile memory in Java?", "profile memory in Java"),
]

NON_REQUESTS = [
    "",
    "   ",
    "hello",
    "hi there!",
    "good morning",
    "thanks!",
    "thank you for the help!",
    "thanks, that helps",
    "that was helpful, thanks",
    "cool, thanks for helping me with X",
    "lol",
    "ok",
    "👍",
    ":tada:",
    "+1",
    "brb",
    "sounds good",
    "see you tomorrow",
    "never mind, figured it out",
    "got it working, thanks",
    "how are you?",
    "how do you do",
    "what's up",
    "I know, right?",
    "can you believe it",
    "who wants coffee",
    "anyone want lunch?",
    "anyone going to the meetup?",
    "who is on call today?",
    "nobody knows kubernetes",
    "everyone knows python",
    "I can help with Python",
    "I'll help you with that",
    "happy to help with Kafka",
    "help yourself to cookies",
    "help is on the way",
    "help desk is closed",
    # Requests without a subject are not intents: the caller asks for the topic.
    "help",
    "help!",
    "help me",
    "help me please",
    "can someone help?",
    "I need help.",
    "anyone?",
    "who knows",
    "I'm stuck",
    "help me with this",
    "can someone help me with it?",
    "question",
    "<@U0BURST>",
    "hey <@U0BURST>",
    "<!here>",
]


@pytest.mark.parametrize(("text", "topic"), REQUESTS)
def test_request_gives_the_topic(text: str, topic: str) -> None:
    assert parse_help_intent(text) == HelpIntent(topic)


@pytest.mark.parametrize("text", NON_REQUESTS)
def test_non_request_gives_none(text: str) -> None:
    assert parse_help_intent(text) is None


def test_there_are_plenty_of_phrasings() -> None:
    assert len(REQUESTS) + len(NON_REQUESTS) >= 60


def test_every_mention_goes_the_bots_own_too() -> None:
    text = "<@U0BURST> can <@U0ALICE|alice> help me with <@W0BOB> Kafka?"
    assert parse_help_intent(text) == HelpIntent("Kafka")


def test_topic_length_is_left_to_the_caller() -> None:
    long_topic = "x" * (MAX_TOPIC_LENGTH + 50)
    assert parse_help_intent(f"help me with {long_topic}") == HelpIntent(long_topic)


def test_long_messages_stay_fast() -> None:
    for text in ["hi " * 5000 + "help with x", "x " + "thanks " * 5000, "really " * 5000, "'" * 20000]:
        parse_help_intent(text)  # quadratic peeling would time this test out


@given(st.text(max_size=300))
def test_never_raises_and_topics_are_trimmed(text: str) -> None:
    intent = parse_help_intent(text)
    if intent is not None:
        assert intent.topic == intent.topic.strip()
        assert any(ch.isalnum() for ch in intent.topic)


# Words with a digit are never greetings, politeness or filler, so the whole phrase must come back as the topic.
words = st.from_regex(r"[A-Za-z]{2,8}[0-9]", fullmatch=True)
phrases = st.lists(words, min_size=1, max_size=5).map(" ".join)
templates = st.sampled_from(
    [
        "can someone help me with {}?",
        "I need help with {}",
        "anyone know {}?",
        "hey <@U0BURST> help me with {} please",
        "stuck on {}!",
        "Help: {}",
    ]
)


@given(templates, phrases)
def test_a_plain_topic_comes_back_whole(template: str, topic: str) -> None:
    assert parse_help_intent(template.format(topic)) == HelpIntent(topic)
